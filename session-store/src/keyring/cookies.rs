//! Session cookies protected by the key ring, for tower-sessions.
//!
//! tower-sessions signs or encrypts its cookie with one fixed key; a web farm needs keys that
//! every instance shares and that rotate. This layer goes outside `SessionManagerLayer` and
//! translates the session cookie at the edge: the incoming cookie is unprotected (any
//! non-revoked key of the ring opens it, so cookies made before a rotation keep working while
//! their key lives) and replaced by the plain session id; the outgoing `Set-Cookie` is
//! protected with the current default key. A cookie that does not open (unknown or revoked
//! key, altered, another purpose) is dropped, so the request starts a new session.
//!
//! - [`CookieProtection::Private`] is ASP.NET Core's session-cookie format: the value is
//!   `Protect(UTF-8 of the id)` in standard base64 without padding. Use the protector
//!   .NET uses (application name, then `SessionMiddleware`) to share cookies with .NET.
//! - [`CookieProtection::Signed`] keeps the id readable: `{id}.{base64url(key id | HMAC)}`.
//!   This format is this crate's own; .NET has no sign-only protector.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderValue, Request, Response, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use super::protector::{DataProtector, UnprotectError};

/// How the session cookie's value is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CookieProtection {
    /// Encrypted and authenticated; the id cannot be read.
    Private,
    /// Authenticated only; the id can be read but not changed.
    Signed,
}

/// Protects the cookie called `cookie_name` (tower-sessions' default is `id`).
#[derive(Clone, Debug)]
pub struct ProtectedCookieLayer {
    protector: DataProtector,
    cookie_name: Arc<str>,
    protection: CookieProtection,
}

impl ProtectedCookieLayer {
    pub fn new(
        protector: DataProtector,
        cookie_name: impl Into<Arc<str>>,
        protection: CookieProtection,
    ) -> ProtectedCookieLayer {
        ProtectedCookieLayer {
            protector,
            cookie_name: cookie_name.into(),
            protection,
        }
    }

    /// The protected form of a cookie value.
    pub async fn protect_value(&self, value: &str) -> Result<String, super::ProtectError> {
        Ok(match self.protection {
            CookieProtection::Private => {
                STANDARD_NO_PAD.encode(self.protector.protect(value.as_bytes()).await?)
            }
            CookieProtection::Signed => format!(
                "{value}.{}",
                URL_SAFE_NO_PAD.encode(self.protector.sign(value.as_bytes()).await?)
            ),
        })
    }

    /// The plain value of a protected cookie value.
    pub async fn unprotect_value(&self, value: &str) -> Result<String, UnprotectError> {
        match self.protection {
            CookieProtection::Private => {
                let payload = STANDARD_NO_PAD
                    .decode(value.trim_end_matches('='))
                    .map_err(|_| UnprotectError::Malformed("the cookie is not base64"))?;
                String::from_utf8(self.protector.unprotect(&payload).await?)
                    .map_err(|_| UnprotectError::Malformed("the cookie's value is not UTF-8"))
            }
            CookieProtection::Signed => {
                let (plain, tag) = value
                    .rsplit_once('.')
                    .ok_or(UnprotectError::Malformed("the cookie has no signature"))?;
                let tag = URL_SAFE_NO_PAD
                    .decode(tag)
                    .map_err(|_| UnprotectError::Malformed("the signature is not base64url"))?;
                self.protector.verify(plain.as_bytes(), &tag).await?;
                Ok(plain.to_owned())
            }
        }
    }

    /// The request's `Cookie` headers with the session cookie unprotected, or left out if
    /// it does not open.
    async fn open_request_cookies(&self, headers: &mut http::HeaderMap) {
        let values: Vec<HeaderValue> = headers.get_all(COOKIE).iter().cloned().collect();
        if values.is_empty() {
            return;
        }
        headers.remove(COOKIE);
        for value in values {
            let Ok(text) = value.to_str() else {
                headers.append(COOKIE, value);
                continue;
            };
            let mut pairs = Vec::new();
            for pair in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                match pair.split_once('=') {
                    Some((name, protected)) if name == &*self.cookie_name => {
                        match self.unprotect_value(protected).await {
                            Ok(plain) => pairs.push(format!("{name}={plain}")),
                            Err(error) => {
                                tracing::info!(%error, cookie = name, "session cookie rejected; a new session starts");
                            }
                        }
                    }
                    _ => pairs.push(pair.to_owned()),
                }
            }
            if let Ok(rebuilt) = HeaderValue::from_str(&pairs.join("; ")) {
                if !pairs.is_empty() {
                    headers.append(COOKIE, rebuilt);
                }
            }
        }
    }

    /// The response's `Set-Cookie` headers with the session cookie protected. `Err` if the
    /// key ring could not protect it.
    async fn seal_response_cookies(&self, headers: &mut http::HeaderMap) -> Result<(), String> {
        let values: Vec<HeaderValue> = headers.get_all(SET_COOKIE).iter().cloned().collect();
        if values.is_empty() {
            return Ok(());
        }
        headers.remove(SET_COOKIE);
        for value in values {
            let sealed = match value.to_str().ok().and_then(|t| self.split_set_cookie(t)) {
                // A removal cookie (empty value) stays as it is.
                Some((plain, rest)) if !plain.is_empty() => {
                    let protected = self.protect_value(plain).await.map_err(|e| e.to_string())?;
                    HeaderValue::from_str(&format!("{}={protected}{rest}", self.cookie_name))
                        .map_err(|e| e.to_string())?
                }
                _ => value,
            };
            headers.append(SET_COOKIE, sealed);
        }
        Ok(())
    }

    /// `(value, "; attributes...")` of a `Set-Cookie` for this layer's cookie.
    fn split_set_cookie<'a>(&self, text: &'a str) -> Option<(&'a str, &'a str)> {
        let (pair, rest) = match text.find(';') {
            Some(i) => text.split_at(i),
            None => (text, ""),
        };
        let (name, value) = pair.split_once('=')?;
        (name.trim() == &*self.cookie_name).then_some((value.trim(), rest))
    }
}

impl<S> Layer<S> for ProtectedCookieLayer {
    type Service = ProtectedCookieService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ProtectedCookieService {
            inner,
            layer: self.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ProtectedCookieService<S> {
    inner: S,
    layer: ProtectedCookieLayer,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for ProtectedCookieService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send,
    ReqBody: Send + 'static,
    ResBody: Default + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        // The ready service handles this request; the clone waits for the next one.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let layer = self.layer.clone();
        Box::pin(async move {
            layer.open_request_cookies(request.headers_mut()).await;
            let mut response = inner.call(request).await?;
            if let Err(error) = layer.seal_response_cookies(response.headers_mut()).await {
                // Sending the plain id would bypass the protection: fail the request instead.
                tracing::error!(%error, "cannot protect the session cookie");
                let mut failed = Response::new(ResBody::default());
                *failed.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
                return Ok(failed);
            }
            Ok(response)
        })
    }
}
