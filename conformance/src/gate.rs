//! Deterministic interleaving: run another client's write between two requests of one
//! cache operation.
//!
//! A cache `get` on a sliding entry is a GetItem followed by an UpdateItem that moves the
//! TTL. Whether a write from another server landing between the two is handled right
//! cannot be tested by timing; the [`Gate`] wraps the HTTP connector of one client and,
//! when armed, runs an action just before that client's next request of a given operation
//! goes out. The action runs to completion first, so the interleaving is exact on any
//! target.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

type Action = Pin<Box<dyn Future<Output = ()> + Send>>;

/// One pending action, armed for the next request of one operation.
#[derive(Clone, Default)]
pub struct Gate {
    pending: Arc<Mutex<Option<(&'static str, Action)>>>,
}

impl Gate {
    /// Runs `action` before the next request whose `X-Amz-Target` ends in `.{operation}`.
    pub fn before_next(
        &self,
        operation: &'static str,
        action: impl Future<Output = ()> + Send + 'static,
    ) {
        *self.lock() = Some((operation, Box::pin(action)));
    }

    /// The action if it has not run (the operation sent no such request): the caller
    /// runs it afterwards, so it happens exactly once either way.
    pub fn disarm(&self) -> Option<impl Future<Output = ()> + Send> {
        self.lock().take().map(|(_, action)| action)
    }

    fn take_for(&self, target: &str) -> Option<Action> {
        let mut pending = self.lock();
        let matches = pending
            .as_ref()
            .is_some_and(|(operation, _)| target.rsplit('.').next() == Some(*operation));
        if matches {
            pending.take().map(|(_, action)| action)
        } else {
            None
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(&'static str, Action)>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `inner` with this gate in front of every request.
    pub fn wrap(&self, inner: SharedHttpClient) -> GatedClient {
        GatedClient {
            inner,
            gate: self.clone(),
        }
    }
}

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Gate")
    }
}

#[derive(Debug)]
pub struct GatedClient {
    inner: SharedHttpClient,
    gate: Gate,
}

impl HttpClient for GatedClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(GatedConnector {
            inner: self.inner.http_connector(settings, components),
            gate: self.gate.clone(),
        })
    }
}

#[derive(Debug)]
struct GatedConnector {
    inner: SharedHttpConnector,
    gate: Gate,
}

impl HttpConnector for GatedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let target = request.headers().get("x-amz-target").unwrap_or_default();
        let action = self.gate.take_for(target);
        let inner = self.inner.clone();
        HttpConnectorFuture::new(async move {
            if let Some(action) = action {
                action.await;
            }
            inner.call(request).await
        })
    }
}
