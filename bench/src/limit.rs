//! The limit: a bare hyper server that reads each request whole and answers it with one fixed
//! DynamoDB-shaped body (a GetItem answer holding a 1 KB item, with the headers the emulator
//! sends), on a runtime of the emulator's shape. No server doing real work on this stack can
//! be faster, so every figure is also given as a ratio to it.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

pub fn serve(port: u16) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind");
        let body = Bytes::from(format!(
            r#"{{"Item":{{"pk":{{"S":"k1"}},"payload":{{"S":"{}"}}}}}}"#,
            "x".repeat(1000)
        ));
        let crc = crc32fast::hash(&body).to_string();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let (body, crc) = (body.clone(), crc.clone());
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let (body, crc) = (body.clone(), crc.clone());
                    async move {
                        let _ = req.into_body().collect().await;
                        let resp = Response::builder()
                            .header("content-type", "application/x-amz-json-1.0")
                            .header(
                                "x-amzn-requestid",
                                "BENCHLIMIT0000000000000000000000000000000000000000000",
                            )
                            .header("x-amz-crc32", crc)
                            .body(Full::new(body))
                            .expect("response");
                        Ok::<_, Infallible>(resp)
                    }
                });
                let _ = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}
