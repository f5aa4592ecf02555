//! The XKS proxy over HTTP/1.1: every request is a `POST` under
//! `[<prefix>]/kms/xks/v1/`, SigV4-signed for the service `kms-xks-proxy`
//! with the proxy's one access key (the spec's *Authentication*); a bad or
//! missing signature is `AuthenticationFailedException` (401).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use zeroize::Zeroizing;

use super::api::{route, Keys, XksError};
use crate::server::sigv4::AuthorizationHeader;

/// The SigV4 service name of the XKS Proxy API.
pub const SERVICE: &str = "kms-xks-proxy";

/// The largest request body read.
const MAX_BODY_BYTES: usize = 256 * 1024;

const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// What the proxy serves and whom it lets in.
#[derive(Debug)]
pub struct ProxyConfig {
    /// `""` or a path starting with `/` (`XksProxyUriPath` without `/kms/xks/v1`).
    pub uri_prefix: String,
    pub access_key_id: String,
    pub secret_access_key: Zeroizing<String>,
    pub keys: Keys,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn unauthenticated(message: impl Into<String>) -> XksError {
    XksError::new(401, "AuthenticationFailedException", message)
}

/// Answers one request.
async fn answer(config: &ProxyConfig, request: Request<Incoming>) -> Result<Value, XksError> {
    let (parts, body) = request.into_parts();
    let route = route(&config.uri_prefix, parts.uri.path())?;
    if parts.method != Method::POST {
        return Err(XksError::new(
            404,
            "InvalidUriPathException",
            "The XKS Proxy API takes POST only.",
        ));
    }
    let body = tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, MAX_BODY_BYTES).collect())
        .await
        .map_err(|_| XksError::new(400, "ValidationException", "The request body did not arrive in time."))?
        .map_err(|_| {
            XksError::new(
                400,
                "ValidationException",
                "The request body could not be read (at most 256 KiB).",
            )
        })?;
    let body = Zeroizing::new(body.to_bytes().to_vec());
    let header = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unauthenticated("The request is not SigV4-signed."))?;
    let authorization = AuthorizationHeader::parse(header).map_err(|e| unauthenticated(e.message))?;
    if authorization.access_key != config.access_key_id {
        return Err(unauthenticated("The access key is not the proxy's."));
    }
    authorization
        .verify(&parts, &body, &config.secret_access_key, SERVICE, now())
        .map_err(|e| unauthenticated(e.message))?;
    let json: Value = serde_json::from_slice(&body)
        .map_err(|_| XksError::new(400, "ValidationException", "The request body is not JSON."))?;
    config.keys.answer(&route, &json)
}

async fn handle(config: Arc<ProxyConfig>, request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (status, body) = match answer(&config, request).await {
        Ok(body) => (200, body),
        Err(e) => (e.status, e.body()),
    };
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(value) = "application/json".parse() {
        response.headers_mut().insert("content-type", value);
    }
    Ok(response)
}

/// Serves on `listener` until `shutdown` completes. Must run inside a tokio runtime.
pub async fn serve(
    config: ProxyConfig,
    listener: std::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let config = Arc::new(config);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let config = Arc::clone(&config);
                let service = hyper::service::service_fn(move |request| handle(Arc::clone(&config), request));
                tokio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            () = &mut shutdown => return Ok(()),
        }
    }
}
