//! The KMS side of the XKS Proxy API: requests signed with SigV4 (service
//! `kms-xks-proxy`) as KMS signs them, sent through a [`Transport`]
//! (HTTP/1.1 by [`HttpTransport`], over TLS 1.2 or 1.3 with rustls for an
//! `https://` proxy; anything else in tests), answers checked
//! as KMS checks them (the spec's *KMS Considerations*: a 12- or 16-byte
//! IV, a 16-byte tag, at most 20 bytes of metadata, a ciphertext as long as
//! the plaintext, and the CDIV recomputed).
//!
//! The runtime calls it through `proxies::HttpProxies`
//! (docs/custom-key-stores.md).

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;

use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::server::SERVICE;

use crate::crypto::OuterLayer;
use crate::kms::runtime::{ExternalKeyMetadata, ProxyRequest};

/// Why a request did not come back with an HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// No connection (refused, unknown host, …).
    NotReachable(String),
    /// Connected, but the answer did not come in time.
    TimedOut,
    /// Something came back that is not an HTTP answer.
    NotHttp,
    /// No TLS session: the handshake failed (a certificate that does not
    /// verify or names another host, no common protocol version, not TLS).
    Tls(String),
}

/// Carries one signed `POST` to the proxy and brings back its status and body.
pub trait Transport {
    fn post(&self, path: &str, headers: &[(String, String)], body: &[u8]) -> Result<(u16, Vec<u8>), TransportError>;
}

/// HTTP/1.1 to `host:port`, one connection per request, over TLS when
/// `tls` is given; `timeout` bounds the connection and each read and write.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    pub address: String,
    pub timeout: Duration,
    pub tls: Option<Tls>,
}

/// How an `https://` proxy is reached: the client's configuration (its
/// trusted roots, TLS 1.2 and 1.3) and the name its certificate must carry.
#[derive(Debug, Clone)]
pub struct Tls {
    pub config: Arc<rustls::ClientConfig>,
    pub server_name: ServerName<'static>,
}

impl Transport for HttpTransport {
    fn post(&self, path: &str, headers: &[(String, String)], body: &[u8]) -> Result<(u16, Vec<u8>), TransportError> {
        let unreachable = |e: std::io::Error| TransportError::NotReachable(format!("{}: {e}", self.address));
        let address = self
            .address
            .to_socket_addrs()
            .map_err(unreachable)?
            .next()
            .ok_or_else(|| TransportError::NotReachable(format!("{}: no address", self.address)))?;
        let stream = TcpStream::connect_timeout(&address, self.timeout).map_err(|e| match e.kind() {
            ErrorKind::TimedOut => TransportError::TimedOut,
            _ => unreachable(e),
        })?;
        stream
            .set_read_timeout(Some(self.timeout))
            .map_err(|e| failed(e, false))?;
        stream
            .set_write_timeout(Some(self.timeout))
            .map_err(|e| failed(e, false))?;
        let Some(tls) = &self.tls else {
            return exchange(stream, path, headers, body, false);
        };
        let connection = rustls::ClientConnection::new(Arc::clone(&tls.config), tls.server_name.clone())
            .map_err(|e| TransportError::Tls(e.to_string()))?;
        let mut stream = rustls::StreamOwned::new(connection, stream);
        // The handshake first, so that its failures are told apart.
        while stream.conn.is_handshaking() {
            stream.conn.complete_io(&mut stream.sock).map_err(|e| failed(e, true))?;
        }
        exchange(stream, path, headers, body, true)
    }
}

/// An I/O error as a transport failure; under TLS, a record or handshake
/// that does not verify is [`TransportError::Tls`].
fn failed(e: std::io::Error, tls: bool) -> TransportError {
    match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => TransportError::TimedOut,
        ErrorKind::InvalidData if tls => TransportError::Tls(e.to_string()),
        _ => TransportError::NotReachable(e.to_string()),
    }
}

/// An I/O error before any byte of the answer. Under TLS 1.3 the client's
/// side of the handshake ends before the server has judged the client's
/// certificate; a proxy that refuses it (mutual TLS) sends an alert and
/// closes, and a close that races the request resets the connection,
/// losing the alert: no TLS session either way, [`TransportError::Tls`].
fn failed_unanswered(e: std::io::Error, tls: bool) -> TransportError {
    let closed = matches!(
        e.kind(),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe | ErrorKind::UnexpectedEof
    );
    if tls && closed {
        return TransportError::Tls(format!("the proxy closed the TLS session before answering: {e}"));
    }
    failed(e, tls)
}

/// Writes one request on `stream` and reads its answer to the end (at most
/// 1 MiB): the status and body.
fn exchange(
    mut stream: impl Read + Write,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
    tls: bool,
) -> Result<(u16, Vec<u8>), TransportError> {
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .map_err(|e| failed_unanswered(e, tls))?;
    stream.write_all(body).map_err(|e| failed_unanswered(e, tls))?;
    stream.flush().map_err(|e| failed_unanswered(e, tls))?;
    let mut response = Vec::new();
    let mut chunk = [0u8; 8192];
    while response.len() < 1 << 20 {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&chunk[..n]),
            // A TLS peer that closes without close_notify, after its answer.
            Err(e) if e.kind() == ErrorKind::UnexpectedEof && !response.is_empty() => break,
            Err(e) if response.is_empty() => return Err(failed_unanswered(e, tls)),
            Err(e) => return Err(failed(e, tls)),
        }
    }
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(TransportError::NotHttp)?;
    let status = std::str::from_utf8(response.get(9..12).unwrap_or_default())
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(TransportError::NotHttp)?;
    Ok((status, response[split + 4..].to_vec()))
}

/// Why a call to the proxy failed.
#[derive(Debug, PartialEq, Eq)]
pub enum XksClientError {
    /// Not reached, or no HTTP answer.
    Transport(TransportError),
    /// The proxy's `errorName` (and status).
    Proxy { status: u16, name: String },
    /// An answer KMS would not accept.
    Malformed(String),
}

/// The spec's `requestMetadata` of `request`: who asked KMS for what.
fn request_metadata(request: &ProxyRequest<'_>) -> Value {
    let mut metadata = json!({"awsPrincipalArn": request.principal_arn,
        "kmsOperation": request.operation, "kmsRequestId": request.request_id});
    if let Some(arn) = request.key_arn {
        metadata["kmsKeyArn"] = json!(arn);
    }
    metadata
}

/// A client of one proxy: its URI path, credential and Region.
pub struct XksClient<T: Transport> {
    pub transport: T,
    /// The `Host` header (the proxy URI endpoint's host and port).
    pub host: String,
    /// `XksProxyUriPath`, ending in `/kms/xks/v1`.
    pub uri_path: String,
    pub access_key_id: String,
    pub secret_access_key: Zeroizing<String>,
    pub region: String,
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn member(answer: &Value, name: &str) -> Result<Vec<u8>, XksClientError> {
    let text = answer
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| XksClientError::Malformed(format!("the proxy's answer has no {name}")))?;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| XksClientError::Malformed(format!("the proxy's {name} is not base64")))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl<T: Transport> XksClient<T> {
    /// Signs and sends `body` to `<uri_path>/<operation>`; the JSON of a 200.
    fn call(&self, operation: &str, body: &Value) -> Result<Value, XksClientError> {
        let path = format!("{}/{operation}", self.uri_path);
        let body = body.to_string().into_bytes();
        let (mut parts, ()) = hyper::http::Request::builder()
            .method("POST")
            .uri(&path)
            .header("host", &self.host)
            .header("content-type", "application/json")
            .body(())
            .map_err(|e| {
                XksClientError::Transport(TransportError::NotReachable(format!("the request cannot be made: {e}")))
            })?
            .into_parts();
        crate::server::sigv4::sign(
            &mut parts,
            &body,
            &self.access_key_id,
            &self.secret_access_key,
            &self.region,
            SERVICE,
            now(),
        );
        let headers: Vec<(String, String)> = parts
            .headers
            .iter()
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
            .collect();
        let (status, answer) = self
            .transport
            .post(&path, &headers, &body)
            .map_err(XksClientError::Transport)?;
        let answer: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
        if status != 200 {
            let name = answer.get("errorName").and_then(Value::as_str).unwrap_or("(none)");
            return Err(XksClientError::Proxy {
                status,
                name: name.to_owned(),
            });
        }
        Ok(answer)
    }

    /// `GetHealthStatus`, as `ConnectCustomKeyStore` calls it: the
    /// `healthStatus` of each external key manager (1–10 of them, each
    /// `ACTIVE`, `DEGRADED` or `UNAVAILABLE`).
    pub fn health(&self, operation: &str, request_id: &str) -> Result<Vec<String>, XksClientError> {
        let body = json!({"requestMetadata": {"kmsRequestId": request_id, "kmsOperation": operation}});
        let answer = self.call("health", &body)?;
        let statuses: Option<Vec<String>> = answer
            .get("ekmFleetDetails")
            .and_then(Value::as_array)
            .filter(|fleet| (1..=10).contains(&fleet.len()))
            .and_then(|fleet| {
                fleet
                    .iter()
                    .map(|hsm| {
                        hsm.get("healthStatus")
                            .and_then(Value::as_str)
                            .filter(|s| ["ACTIVE", "DEGRADED", "UNAVAILABLE"].contains(s))
                            .map(str::to_owned)
                    })
                    .collect()
            });
        statuses.ok_or_else(|| XksClientError::Malformed("the proxy's ekmFleetDetails do not read".to_owned()))
    }

    /// `GetKeyMetadata`: what the external key is; `CreateKey` judges it.
    pub fn key_metadata(
        &self,
        key_id: &str,
        request: &ProxyRequest<'_>,
    ) -> Result<ExternalKeyMetadata, XksClientError> {
        let answer = self.call(
            &format!("keys/{key_id}/metadata"),
            &json!({"requestMetadata": request_metadata(request)}),
        )?;
        let text = |name: &str| {
            answer
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| XksClientError::Malformed(format!("the proxy's answer has no {name}")))
        };
        let key_usage = answer
            .get("keyUsage")
            .and_then(Value::as_array)
            .filter(|usage| usage.len() <= 10)
            .and_then(|usage| usage.iter().map(|u| u.as_str().map(str::to_owned)).collect())
            .ok_or_else(|| XksClientError::Malformed("the proxy's keyUsage does not read".to_owned()))?;
        Ok(ExternalKeyMetadata {
            key_spec: text("keySpec")?,
            key_usage,
            key_status: text("keyStatus")?,
        })
    }

    /// `Encrypt` with the CDIV asked for and checked.
    pub fn encrypt(
        &self,
        key_id: &str,
        plaintext: &[u8],
        aad: &[u8],
        request: &ProxyRequest<'_>,
    ) -> Result<OuterLayer, XksClientError> {
        let mut body = json!({"requestMetadata": request_metadata(request), "plaintext": b64(plaintext),
            "encryptionAlgorithm": "AES_GCM", "ciphertextDataIntegrityValueAlgorithm": "SHA_256"});
        if !aad.is_empty() {
            body["additionalAuthenticatedData"] = json!(b64(aad));
        }
        let answer = self.call(&format!("keys/{key_id}/encrypt"), &body)?;
        let sealed = OuterLayer {
            ciphertext: member(&answer, "ciphertext")?,
            metadata: if answer.get("ciphertextMetadata").is_some() {
                member(&answer, "ciphertextMetadata")?
            } else {
                Vec::new()
            },
            iv: member(&answer, "initializationVector")?,
            tag: member(&answer, "authenticationTag")?,
        };
        let malformed = |what: &str| Err(XksClientError::Malformed(what.to_owned()));
        if sealed.ciphertext.len() != plaintext.len() {
            return malformed("the proxy's ciphertext is not as long as the plaintext");
        }
        if !matches!(sealed.iv.len(), 12 | 16) || sealed.tag.len() != 16 || sealed.metadata.len() > 20 {
            return malformed("the proxy's IV, tag or ciphertext metadata has a length KMS refuses");
        }
        let mut hash = Sha256::new();
        for part in [aad, &sealed.metadata, &sealed.iv, &sealed.ciphertext, &sealed.tag] {
            hash.update(part);
        }
        if member(&answer, "ciphertextDataIntegrityValue")? != hash.finalize().to_vec() {
            return malformed("the proxy's ciphertext data integrity value does not match");
        }
        Ok(sealed)
    }

    /// `Decrypt` of what [`encrypt`](Self::encrypt) returned.
    pub fn decrypt(
        &self,
        key_id: &str,
        sealed: &OuterLayer,
        aad: &[u8],
        request: &ProxyRequest<'_>,
    ) -> Result<Zeroizing<Vec<u8>>, XksClientError> {
        let mut body = json!({"requestMetadata": request_metadata(request), "encryptionAlgorithm": "AES_GCM",
            "ciphertext": b64(&sealed.ciphertext), "initializationVector": b64(&sealed.iv),
            "authenticationTag": b64(&sealed.tag)});
        if !aad.is_empty() {
            body["additionalAuthenticatedData"] = json!(b64(aad));
        }
        if !sealed.metadata.is_empty() {
            body["ciphertextMetadata"] = json!(b64(&sealed.metadata));
        }
        let answer = self.call(&format!("keys/{key_id}/decrypt"), &body)?;
        let plaintext = Zeroizing::new(member(&answer, "plaintext")?);
        if plaintext.len() != sealed.ciphertext.len() {
            return Err(XksClientError::Malformed(
                "the proxy's plaintext is not as long as the ciphertext".to_owned(),
            ));
        }
        Ok(plaintext)
    }
}
