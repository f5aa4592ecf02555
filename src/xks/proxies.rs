//! [`HttpProxies`]: the runtime's [`XksProxies`] over HTTPS, one
//! [`XksClient`] per call, its errors told in the runtime's terms
//! ([`ProxyFailure`]). An `https://` proxy is reached over TLS 1.2 or 1.3
//! (rustls), its certificate verified for the endpoint's host against the
//! system's roots and any CA file given (`--xks-ca-file`), presenting a
//! client certificate when one is given (`--xks-client-cert`, mutual TLS).
//! Plain HTTP, and a port, only on loopback and only where the process
//! opted in (`--xks-plain-http`, or `keyward serve --test-mode`).
//! [`ProxyOptions`] says how a process reaches proxies, one place for the
//! flags `keyward serve`, `keyward kms` and the REPL share.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer, ServerName,
};
use rustls::sign::CertifiedKey;
use zeroize::Zeroizing;

use super::client::{HttpTransport, Tls, TransportError, XksClient, XksClientError};
use crate::crypto::OuterLayer;
use crate::kms::runtime::{callable, ExternalKeyMetadata, ProxyFailure, ProxyRequest, ProxyTarget, XksProxies};

/// How long keyward waits for a proxy, as AWS KMS does: "If KMS does not
/// receive a response from the XKS proxy for any API call within 250ms, KMS
/// will time out and the corresponding KMS API call will fail" (XKS Proxy
/// API spec, `Decrypt` and `GetHealthStatus`, *KMS Considerations*,
/// <https://github.com/aws/aws-kms-xksproxy-api-spec>). The service waits
/// with its state unlocked, so other calls go on meanwhile.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);

/// Calls proxies at `https://` endpoints (and `http://` loopback ones where
/// allowed).
#[derive(Debug, Clone)]
pub struct HttpProxies {
    /// Whether loopback endpoints outside the API model's pattern (plain
    /// HTTP, or a port) may be used.
    pub plain_http_loopback: bool,
    pub timeout: Duration,
    /// The CA files' certificates, trusted besides the system's roots.
    added_roots: rustls::RootCertStore,
    client_certificate: Option<Arc<CertifiedKey>>,
    /// TLS 1.2 and 1.3, trusting the system's roots and `added_roots`,
    /// presenting the client certificate if one was given: made at the
    /// first `https://` call, so that a process that calls no proxy (most
    /// `keyward kms` commands) does not read the system's roots (about 40
    /// ms), and shared by the clones made before it.
    tls: Arc<OnceLock<Arc<rustls::ClientConfig>>>,
}

/// A CA file, client certificate or client key that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("the {what} `{path}` {problem}")]
pub struct PemFileError {
    /// `CA file`, `client certificate file` or `client key file`.
    pub what: &'static str,
    pub path: String,
    pub problem: String,
}

impl PemFileError {
    fn new(what: &'static str, path: &Path, problem: impl Into<String>) -> PemFileError {
        PemFileError {
            what,
            path: path.display().to_string(),
            problem: problem.into(),
        }
    }
}

/// How a process reaches proxies: the flags `keyward serve`, `keyward kms`
/// and the REPL share (`--xks-plain-http`, `--xks-timeout-ms`,
/// `--xks-ca-file`, `--xks-client-cert`, `--xks-client-key`).
#[derive(Debug, Clone)]
pub struct ProxyOptions {
    /// Take loopback endpoints outside the model's pattern (plain HTTP, or a port).
    pub plain_http_loopback: bool,
    /// How long a call may take ([`DEFAULT_TIMEOUT`] unless set).
    pub timeout: Duration,
    /// CA certificates trusted besides the system's roots (PEM).
    pub ca_file: Option<PathBuf>,
    /// The certificate chain (PEM, leaf first) and private key (PEM)
    /// presented to a proxy that asks for a client certificate.
    pub client_certificate: Option<(PathBuf, PathBuf)>,
}

impl Default for ProxyOptions {
    fn default() -> Self {
        ProxyOptions {
            plain_http_loopback: false,
            timeout: DEFAULT_TIMEOUT,
            ca_file: None,
            client_certificate: None,
        }
    }
}

impl ProxyOptions {
    /// The proxies these options describe; a file that cannot be used is an error.
    pub fn proxies(&self) -> Result<HttpProxies, PemFileError> {
        let mut proxies = HttpProxies::new().with_timeout(self.timeout);
        proxies.plain_http_loopback = self.plain_http_loopback;
        if let Some(path) = &self.ca_file {
            proxies = proxies.with_ca_file(path)?;
        }
        if let Some((certificate, key)) = &self.client_certificate {
            proxies = proxies.with_client_certificate(certificate, key)?;
        }
        Ok(proxies)
    }
}

/// The client configuration: ring's cipher suites, TLS 1.2 and 1.3 (the
/// spec's *API content type*: "TLS 1.2 or later"), trusting `roots`, with
/// the client certificate if given.
fn client_config(
    roots: rustls::RootCertStore,
    client_certificate: Option<&Arc<CertifiedKey>>,
) -> Arc<rustls::ClientConfig> {
    let builder = rustls::ClientConfig::builder_with_provider(super::tls::provider())
        .with_protocol_versions(super::tls::VERSIONS)
        // Invariant: ring's provider offers suites of both versions.
        .expect("ring offers TLS 1.2 and 1.3")
        .with_root_certificates(roots);
    Arc::new(match client_certificate {
        Some(certified) => {
            builder.with_client_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(Arc::clone(certified))))
        }
        None => builder.with_no_client_auth(),
    })
}

/// A certificate chain (leaf first) and its private key, both PEM. The
/// key file's bytes and the key's DER are zeroized once the signing key is
/// made: the DER is decoded from the file's bytes straight into a buffer of
/// its own (no other copy of the base64 text), and given to *ring* borrowed.
fn certified_key(certificate: &Path, key: &Path) -> Result<CertifiedKey, PemFileError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(certificate)
        .map_err(|e| PemFileError::new("client certificate file", certificate, format!("cannot be read: {e}")))?
        .collect::<Result<_, _>>()
        .map_err(|e| PemFileError::new("client certificate file", certificate, format!("is not PEM: {e}")))?;
    if chain.is_empty() {
        return Err(PemFileError::new(
            "client certificate file",
            certificate,
            "holds no certificate",
        ));
    }
    let bad_key = |problem: String| PemFileError::new("client key file", key, problem);
    let file = crate::source::read::secret_bytes(key, crate::source::read::Kind::Parameter)
        .map_err(|e| bad_key(format!("cannot be read: {e}")))?;
    let (label, der) = private_key_block(&file).ok_or_else(|| bad_key("holds no PEM private key".to_owned()))?;
    let key_der: PrivateKeyDer<'_> = match label.as_str() {
        "PRIVATE KEY" => PrivatePkcs8KeyDer::from(&der[..]).into(),
        "RSA PRIVATE KEY" => PrivatePkcs1KeyDer::from(&der[..]).into(),
        "EC PRIVATE KEY" => PrivateSec1KeyDer::from(&der[..]).into(),
        other => {
            return Err(bad_key(format!(
                "holds a `{other}`, not an unencrypted PKCS #8, PKCS #1 or SEC 1 key"
            )))
        }
    };
    let signing = rustls::crypto::ring::sign::any_supported_type(&key_der)
        .map_err(|_| bad_key("holds a key of a kind TLS cannot sign with".to_owned()))?;
    let certified = CertifiedKey::new(chain, signing);
    match certified.keys_match() {
        Ok(()) | Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::Unknown)) => Ok(certified),
        Err(rustls::Error::InconsistentKeys(_)) => Err(bad_key(format!(
            "is not the key of the certificate in `{}`",
            certificate.display()
        ))),
        // webpki reads X.509 v3 only: `openssl x509 -req` without
        // `-extfile` writes a v1 certificate.
        Err(e) => Err(PemFileError::new(
            "client certificate file",
            certificate,
            format!("holds a certificate TLS cannot use, such as an X.509 v1 one (v3 is needed): {e}"),
        )),
    }
}

/// The first PEM block of `file` whose label ends in `PRIVATE KEY` (a key
/// file may hold `EC PARAMETERS` first): its label and DER.
fn private_key_block(file: &[u8]) -> Option<(String, Zeroizing<Vec<u8>>)> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    let mut rest = file;
    while let Some(start) = find(rest, BEGIN) {
        let block = &rest[start..];
        let label_len = find(&block[BEGIN.len()..], b"-----")?;
        let label = std::str::from_utf8(&block[BEGIN.len()..BEGIN.len() + label_len]).ok()?;
        let end_line = format!("-----END {label}-----");
        let end = find(block, end_line.as_bytes())? + end_line.len();
        if label.ends_with("PRIVATE KEY") {
            let mut decoder = der::pem::Decoder::new(&block[..end]).ok()?;
            let mut der = Zeroizing::new(vec![0u8; decoder.remaining_len()]);
            let len = decoder.decode(&mut der).ok()?.len();
            der.truncate(len);
            return Some((label.to_owned(), der));
        }
        rest = &block[end..];
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl Default for HttpProxies {
    fn default() -> Self {
        HttpProxies::new()
    }
}

impl HttpProxies {
    /// `https://` proxies, verified against the system's roots (those that
    /// load, when the first `https://` proxy is called; a system without
    /// any verifies no proxy until a CA file is added).
    pub fn new() -> HttpProxies {
        HttpProxies {
            plain_http_loopback: false,
            timeout: DEFAULT_TIMEOUT,
            added_roots: rustls::RootCertStore::empty(),
            client_certificate: None,
            tls: Arc::default(),
        }
    }

    /// The TLS configuration, made on first use.
    fn tls(&self) -> Arc<rustls::ClientConfig> {
        let config = self.tls.get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            roots.roots.extend(self.added_roots.roots.iter().cloned());
            client_config(roots, self.client_certificate.as_ref())
        });
        Arc::clone(config)
    }

    /// Proxies reachable over `https://`, and over plain HTTP on loopback.
    pub fn plain_http_loopback() -> HttpProxies {
        HttpProxies {
            plain_http_loopback: true,
            ..HttpProxies::new()
        }
    }

    /// The same proxies, waiting `timeout` for each instead of
    /// [`DEFAULT_TIMEOUT`] (`keyward serve --xks-timeout-ms`).
    pub fn with_timeout(self, timeout: Duration) -> HttpProxies {
        HttpProxies { timeout, ..self }
    }

    /// The same proxies, trusting the certificates of the PEM file `path`
    /// too (`--xks-ca-file`): a private CA's root.
    pub fn with_ca_file(mut self, path: &Path) -> Result<HttpProxies, PemFileError> {
        let fail = |problem: String| PemFileError::new("CA file", path, problem);
        let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .map_err(|e| fail(format!("cannot be read: {e}")))?
            .collect::<Result<_, _>>()
            .map_err(|e| fail(format!("is not PEM: {e}")))?;
        if certificates.is_empty() {
            return Err(fail("holds no certificate".to_owned()));
        }
        for certificate in certificates {
            self.added_roots
                .add(certificate)
                .map_err(|e| fail(format!("holds a certificate that is not a CA's: {e}")))?;
        }
        self.tls = Arc::default();
        Ok(self)
    }

    /// The same proxies, presenting the PEM certificate chain `certificate`
    /// (leaf first) and its PEM private key `key` to a proxy that asks for
    /// a client certificate (`--xks-client-cert`, `--xks-client-key`): the
    /// XKS Proxy API's optional mutual TLS (spec, *Authentication*).
    pub fn with_client_certificate(mut self, certificate: &Path, key: &Path) -> Result<HttpProxies, PemFileError> {
        self.client_certificate = Some(Arc::new(certified_key(certificate, key)?));
        self.tls = Arc::default();
        Ok(self)
    }

    fn client(&self, target: &ProxyTarget<'_>) -> Result<XksClient<HttpTransport>, ProxyFailure> {
        let endpoint = target.uri_endpoint;
        let (https, rest) = match (endpoint.strip_prefix("https://"), endpoint.strip_prefix("http://")) {
            (Some(rest), _) => (true, rest),
            (None, Some(rest)) => (false, rest),
            (None, None) => return Err(ProxyFailure::NotAllowed),
        };
        if !callable(endpoint, self.plain_http_loopback) {
            return Err(ProxyFailure::NotAllowed);
        }
        let host = match rest.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => rest.split(':').next().unwrap_or_default(),
        };
        let has_port = rest
            .rsplit_once(':')
            .is_some_and(|(before, _)| !before.ends_with('[') && !rest.ends_with(']'));
        let default_port = if https { 443 } else { 80 };
        // Without a port, the scheme's.
        let address = if has_port {
            rest.to_owned()
        } else {
            format!("{rest}:{default_port}")
        };
        let tls = if https {
            let server_name = ServerName::try_from(host.to_owned()).map_err(|_| ProxyFailure::NotAllowed)?;
            Some(Tls {
                config: self.tls(),
                server_name,
            })
        } else {
            None
        };
        Ok(XksClient {
            transport: HttpTransport {
                address: address.clone(),
                timeout: self.timeout,
                tls,
            },
            host: if https { rest.to_owned() } else { address },
            uri_path: target.uri_path.to_owned(),
            access_key_id: target.access_key_id.to_owned(),
            secret_access_key: Zeroizing::new(target.secret.expose().to_owned()),
            region: target.region.to_owned(),
        })
    }
}

fn failure(error: XksClientError) -> ProxyFailure {
    match error {
        XksClientError::Transport(TransportError::NotReachable(_)) => ProxyFailure::NotReachable,
        XksClientError::Transport(TransportError::TimedOut) => ProxyFailure::TimedOut,
        XksClientError::Transport(TransportError::Tls(_)) => ProxyFailure::Tls,
        XksClientError::Transport(TransportError::NotHttp) | XksClientError::Malformed(_) => {
            ProxyFailure::InvalidResponse
        }
        XksClientError::Proxy { name, .. } => ProxyFailure::Refused(name),
    }
}

impl XksProxies for HttpProxies {
    fn plain_http_loopback(&self) -> bool {
        self.plain_http_loopback
    }

    fn health(&self, target: &ProxyTarget<'_>, request: &ProxyRequest<'_>) -> Result<Vec<String>, ProxyFailure> {
        self.client(target)?
            .health(request.operation, request.request_id)
            .map_err(failure)
    }

    fn key_metadata(
        &self,
        target: &ProxyTarget<'_>,
        key_id: &str,
        request: &ProxyRequest<'_>,
    ) -> Result<ExternalKeyMetadata, ProxyFailure> {
        self.client(target)?.key_metadata(key_id, request).map_err(failure)
    }

    fn encrypt(
        &self,
        target: &ProxyTarget<'_>,
        key_id: &str,
        plaintext: &[u8],
        aad: &[u8],
        request: &ProxyRequest<'_>,
    ) -> Result<OuterLayer, ProxyFailure> {
        self.client(target)?
            .encrypt(key_id, plaintext, aad, request)
            .map_err(failure)
    }

    fn decrypt(
        &self,
        target: &ProxyTarget<'_>,
        key_id: &str,
        sealed: &OuterLayer,
        aad: &[u8],
        request: &ProxyRequest<'_>,
    ) -> Result<Zeroizing<Vec<u8>>, ProxyFailure> {
        self.client(target)?
            .decrypt(key_id, sealed, aad, request)
            .map_err(failure)
    }
}
