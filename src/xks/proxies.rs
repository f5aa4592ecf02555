//! [`HttpProxies`]: the runtime's [`XksProxies`] over HTTP, one
//! [`XksClient`] per call, its errors told in the runtime's terms
//! ([`ProxyFailure`]). Plain HTTP only, to loopback endpoints only, and only
//! when the process opted in (`keyward serve --xks-plain-http` or
//! `--test-mode`): keyward has no TLS client.

use std::time::Duration;

use zeroize::Zeroizing;

use super::client::{HttpTransport, RequestMetadata, TransportError, XksClient, XksClientError};
use crate::crypto::OuterLayer;
use crate::kms::runtime::{plain_loopback, ExternalKeyMetadata, ProxyFailure, ProxyRequest, ProxyTarget, XksProxies};

/// How long keyward waits for a proxy, as AWS KMS does: "If KMS does not
/// receive a response from the XKS proxy for any API call within 250ms, KMS
/// will time out and the corresponding KMS API call will fail" (XKS Proxy
/// API spec, `Decrypt` and `GetHealthStatus`, *KMS Considerations*,
/// <https://github.com/aws/aws-kms-xksproxy-api-spec>). The service waits
/// with its state unlocked, so other calls go on meanwhile.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);

/// Calls proxies at `http://` loopback endpoints.
#[derive(Debug, Clone)]
pub struct HttpProxies {
    /// Whether plain-HTTP loopback endpoints may be used at all.
    pub plain_http_loopback: bool,
    pub timeout: Duration,
}

impl HttpProxies {
    /// Proxies reachable over plain HTTP on loopback.
    pub fn plain_http_loopback() -> HttpProxies {
        HttpProxies {
            plain_http_loopback: true,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The same proxies, waiting `timeout` for each instead of
    /// [`DEFAULT_TIMEOUT`] (`keyward serve --xks-timeout-ms`).
    pub fn with_timeout(self, timeout: Duration) -> HttpProxies {
        HttpProxies { timeout, ..self }
    }

    fn client(&self, target: &ProxyTarget<'_>) -> Result<XksClient<HttpTransport>, ProxyFailure> {
        if !self.plain_http_loopback || !plain_loopback(target.uri_endpoint) {
            return Err(ProxyFailure::NotAllowed);
        }
        let address = target.uri_endpoint.trim_start_matches("http://");
        // Without a port, HTTP's.
        let address = if address.ends_with(']') || !address.contains(':') {
            format!("{address}:80")
        } else {
            address.to_owned()
        };
        Ok(XksClient {
            transport: HttpTransport {
                address: address.clone(),
                timeout: self.timeout,
            },
            host: address,
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
        XksClientError::Transport(TransportError::NotHttp) | XksClientError::Malformed(_) => {
            ProxyFailure::InvalidResponse
        }
        XksClientError::Proxy { name, .. } => ProxyFailure::Refused(name),
    }
}

fn metadata<'a>(request: &ProxyRequest<'a>) -> RequestMetadata<'a> {
    RequestMetadata {
        principal_arn: request.principal_arn,
        key_arn: request.key_arn,
        operation: request.operation,
        request_id: request.request_id,
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
        let answer = self
            .client(target)?
            .key_metadata(key_id, &metadata(request))
            .map_err(failure)?;
        Ok(ExternalKeyMetadata {
            key_spec: answer.key_spec,
            key_usage: answer.key_usage,
            key_status: answer.key_status,
        })
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
            .encrypt(key_id, plaintext, aad, &metadata(request))
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
            .decrypt(key_id, sealed, aad, &metadata(request))
            .map_err(failure)
    }
}
