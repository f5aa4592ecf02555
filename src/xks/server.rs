//! The XKS proxy over HTTP/1.1, over TLS (rustls) when given a certificate
//! and key (\[`tls_config`\]), requiring a client certificate when given
//! a client CA (mutual TLS): every request is a `POST` under
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
    /// Serve HTTPS with this configuration (\[`tls_config`\]); `None`: plain HTTP.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

/// A certificate file or key file that cannot be served with.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TlsFileError(pub(super) String);

/// The server configuration for a PEM certificate chain (leaf first) and
/// its PEM private key: TLS 1.2 and 1.3, as the spec asks ("TLS 1.2 or
/// later", *API content type*). With `client_ca`, a PEM file of CA
/// certificates, every client must present a certificate chained to one
/// of them, whose subject's common name is `client_subject` if given, or
/// the handshake fails: the spec's optional mutual TLS (`client_auth`).
pub fn tls_config(
    certificate: &std::path::Path,
    key: &std::path::Path,
    client_ca: Option<&std::path::Path>,
    client_subject: Option<&str>,
) -> Result<Arc<rustls::ServerConfig>, TlsFileError> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(certificate)
        .and_then(Iterator::collect)
        .map_err(|e| {
            TlsFileError(format!(
                "`{}` is not a PEM certificate file: {e}",
                certificate.display()
            ))
        })?;
    if chain.is_empty() {
        return Err(TlsFileError(format!(
            "`{}` holds no certificate",
            certificate.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| TlsFileError(format!("`{}` is not a PEM private key file: {e}", key.display())))?;
    let builder = rustls::ServerConfig::builder_with_provider(super::tls::provider())
        .with_protocol_versions(super::tls::VERSIONS)
        .map_err(|e| TlsFileError(format!("no TLS version to serve: {e}")))?;
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(path) => builder.with_client_cert_verifier(super::client_auth::client_verifier(path, client_subject)?),
    };
    builder
        .with_single_cert(chain, key)
        .map(Arc::new)
        .map_err(|e| TlsFileError(format!("the certificate and key cannot be served: {e}")))
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

/// Serves HTTP/1.1 on one connection (plain or TLS).
async fn serve_connection<S>(stream: S, config: Arc<ProxyConfig>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |request| handle(Arc::clone(&config), request));
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Closes a connection whose handshake failed, its alert sent: the
/// client's bytes still unread (under TLS 1.3 its request follows its
/// certificate at once) are read first, for up to a second, so that the
/// close does not reset the connection and lose the alert that says why.
async fn close_after_alert(mut stream: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
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
                tokio::spawn(async move {
                    match config.tls.clone() {
                        None => serve_connection(stream, config).await,
                        Some(tls) => {
                            let accepted = tokio::time::timeout(
                                BODY_TIMEOUT,
                                tokio_rustls::TlsAcceptor::from(tls).accept(stream).into_fallible(),
                            )
                            .await;
                            match accepted {
                                Ok(Ok(stream)) => serve_connection(stream, config).await,
                                Ok(Err((_, stream))) => close_after_alert(stream).await,
                                Err(_) => {}
                            }
                        }
                    }
                });
            }
            () = &mut shutdown => return Ok(()),
        }
    }
}
