//! A browser for the demo router: remembers the session cookie between requests.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

#[derive(Default)]
pub struct Browser {
    pub cookie: Option<String>,
}

impl Browser {
    /// `GET /` on `app`; returns the body and keeps any new cookie.
    pub async fn visit(&mut self, app: &Router) -> String {
        let mut request = Request::get("/");
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let response = app
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        if let Some(set) = response.headers().get(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_owned();
            self.cookie = Some(pair);
        }
        let body = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(body.to_vec()).unwrap()
    }

    /// The cookie's value (what follows `id=`).
    pub fn cookie_value(&self) -> String {
        self.cookie
            .as_deref()
            .unwrap()
            .trim_start_matches("id=")
            .to_owned()
    }

    pub fn session_id(&self) -> String {
        self.cookie_value()
    }
}
