//! The link between the runtime and external key store proxies: the
//! [`XksProxies`] a front end supplies (`keyward::xks::proxies::HttpProxies`
//! calls them over HTTPS), the failures a call can end in, and what each
//! failure means to a KMS caller, from the table of the XKS Proxy API
//! specification (*Error Codes, KMS Considerations*,
//! <https://github.com/aws/aws-kms-xksproxy-api-spec>).
//!
//! A store is *live* when its proxy is one keyward calls: an `https://`
//! endpoint in a process with proxies, unless its host is
//! [reserved for examples](reserved_for_examples), which stays simulated;
//! or an `http://` loopback endpoint, taken only where the process opted in
//! ([`XksProxies::plain_http_loopback`]) (`docs/custom-key-stores.md`).
//! The calls are made with the service's state unlocked (`proxy_calls`).

use std::sync::Arc;

use zeroize::Zeroizing;

use super::custom_key_stores::{CustomKeyStore, StoreType, XksProxy};
use super::key::Key;
use super::proxy_calls::{Ask, Endpoint, ProxyAnswer, ProxyCall};
use super::{Clock, Runtime};
use crate::crypto::{self, OuterLayer};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};

/// The proxy's secret access key (`RawSecretAccessKey`): wrapped under the
/// root key by the store, never serialized, logged or returned.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxySecret(Zeroizing<String>);

impl ProxySecret {
    pub fn new(secret: &str) -> ProxySecret {
        ProxySecret(Zeroizing::new(secret.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ProxySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProxySecret([REDACTED])")
    }
}

/// Where a proxy is and how requests to it are signed.
#[derive(Clone, Copy, Debug)]
pub struct ProxyTarget<'a> {
    /// `XksProxyUriEndpoint`: `http://127.0.0.1:4600`, say.
    pub uri_endpoint: &'a str,
    /// `XksProxyUriPath`, ending in `/kms/xks/v1`.
    pub uri_path: &'a str,
    pub access_key_id: &'a str,
    pub secret: &'a ProxySecret,
    /// The SigV4 Region (the store's).
    pub region: &'a str,
}

/// The spec's `requestMetadata`: who asked KMS for what.
#[derive(Clone, Copy, Debug)]
pub struct ProxyRequest<'a> {
    pub principal_arn: &'a str,
    /// Absent on the `GetKeyMetadata` of `CreateKey` (the key has no ARN yet).
    pub key_arn: Option<&'a str>,
    /// The KMS operation (`Encrypt`, `ConnectCustomKeyStore`, …).
    pub operation: &'a str,
    pub request_id: &'a str,
}

/// `GetKeyMetadata`'s answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternalKeyMetadata {
    pub key_spec: String,
    pub key_usage: Vec<String>,
    pub key_status: String,
}

/// How a call to a proxy failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProxyFailure {
    /// No TCP connection.
    NotReachable,
    /// Connected, but no answer in the time allowed.
    TimedOut,
    /// No TLS session: the proxy's certificate does not verify for its
    /// host, or no protocol version is shared.
    Tls,
    /// An answer KMS cannot interpret (not JSON, a member missing, a CDIV
    /// that does not match, …).
    InvalidResponse,
    /// The proxy answered with this `errorName`.
    Refused(String),
    /// This process may not call such an endpoint: plain HTTP without the
    /// opt-in, or no way to call proxies at all.
    NotAllowed,
    /// Not made yet: the service makes it with its state unlocked and runs
    /// the KMS call again with the answer (`proxy_calls`). A caller never
    /// sees it.
    Deferred,
}

/// Calls external key store proxies. Each call is one signed request;
/// answers are checked as the spec's *KMS Considerations* say before they
/// are returned.
pub trait XksProxies: Send + Sync {
    /// Whether `http://` loopback endpoints are allowed (the model takes
    /// only `https://`; `keyward serve --xks-plain-http` or `--test-mode`).
    fn plain_http_loopback(&self) -> bool;

    /// `GetHealthStatus`: the `healthStatus` of each external key manager.
    fn health(&self, target: &ProxyTarget<'_>, request: &ProxyRequest<'_>) -> Result<Vec<String>, ProxyFailure>;

    fn key_metadata(
        &self,
        target: &ProxyTarget<'_>,
        key_id: &str,
        request: &ProxyRequest<'_>,
    ) -> Result<ExternalKeyMetadata, ProxyFailure>;

    fn encrypt(
        &self,
        target: &ProxyTarget<'_>,
        key_id: &str,
        plaintext: &[u8],
        aad: &[u8],
        request: &ProxyRequest<'_>,
    ) -> Result<OuterLayer, ProxyFailure>;

    fn decrypt(
        &self,
        target: &ProxyTarget<'_>,
        key_id: &str,
        sealed: &OuterLayer,
        aad: &[u8],
        request: &ProxyRequest<'_>,
    ) -> Result<Zeroizing<Vec<u8>>, ProxyFailure>;
}

/// The proxies of a runtime (shared by every partition of a service).
pub type SharedProxies = Arc<dyn XksProxies>;

/// An `http://` endpoint on the loopback interface (`127.0.0.1`,
/// `localhost` or `[::1]`, with or without a port): what keyward takes,
/// outside the model's `https://` pattern, where the process allows it.
pub fn plain_loopback(endpoint: &str) -> bool {
    let Some(rest) = endpoint.strip_prefix("http://") else {
        return false;
    };
    if let Some(after) = rest.strip_prefix("[::1]") {
        return after.is_empty() || port(after);
    }
    let (host, after) = rest.find(':').map_or((rest, ""), |at| rest.split_at(at));
    matches!(host, "127.0.0.1" | "localhost") && (after.is_empty() || port(after))
}

/// `:` and a port, 1 to 65535 in decimal digits.
fn port(text: &str) -> bool {
    text.strip_prefix(':').is_some_and(|digits| {
        digits.bytes().all(|b| b.is_ascii_digit()) && digits.parse::<u16>().is_ok_and(|port| port > 0)
    })
}

/// The spec's messages, one per failure scenario.
fn message(failure: &ProxyFailure) -> &'static str {
    match failure {
        ProxyFailure::NotReachable | ProxyFailure::NotAllowed | ProxyFailure::Deferred => {
            "AWS KMS cannot communicate with the external key store proxy. This might be a transient network issue. If you see this error repeatedly, verify that your external key store proxy is active and is connected to the network, and that its endpoint URI is correct in your external keystore."
        }
        ProxyFailure::TimedOut => {
            "AWS KMS rejected the request because the external key store proxy did not respond in time. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator."
        }
        ProxyFailure::InvalidResponse => INVALID_RESPONSE,
        ProxyFailure::Tls => {
            "AWS KMS cannot establish a TLS connection to the external key store proxy. Verify the TLS configuration, including its certificate."
        }
        ProxyFailure::Refused(name) => match name.as_str() {
            "InvalidStateException" => {
                "The external key associated with this KMS key in an external key store is not enabled in the external HSM. Enable the external key in the external HSM and retry the request."
            }
            "InvalidCiphertextException" => {
                "The external key store proxy rejected the request because the specified ciphertext or encryption context is corrupted, missing, or otherwise invalid."
            }
            "InvalidKeyUsageException" => {
                "The external key associated with this KMS key in an external key store does not support the requested operation. Enable the operation on the key in your external HSM, and try the request again."
            }
            "AuthenticationFailedException" => {
                "The external key store proxy rejected the request because it could not authenticate AWS KMS. Verify the XKS proxy authentication credentials for your external key store and update if necessary."
            }
            "AccessDeniedException" => {
                "The external key store proxy denied access to the operation. Verify that the user and the external key are both authorized for this operation, and try the request again."
            }
            "KeyNotFoundException" => {
                "The external key associated with this KMS key in an external key store was not found in its external HSM. If the external key ID associated with this KMS key is incorrect, create a new KMS key with the correct external key ID."
            }
            "InvalidUriPathException" => {
                "The external key store proxy rejected the request because of an invalid URI path. Verify the URI path for your external key store and update if necessary."
            }
            "UnsupportedOperationException" => {
                "The external key store proxy rejected the request because it does not support the requested operation. If you see this error repeatedly, report it to your external key store proxy administrator."
            }
            "DependencyTimeoutException" => {
                "The external key store proxy did not respond to the request in the time allotted. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator."
            }
            "ThrottlingException" => {
                "The external key store proxy rejected the request due to a very high request rate. Reduce the frequency of your calls using KMS keys in this external key store."
            }
            "InternalException" => {
                "The external key store proxy rejected the request because it cannot communicate with the external HSM. Verify that the external key store proxy configuration is correct and that the external HSM is available."
            }
            // ValidationException and anything the spec does not name.
            _ => INVALID_RESPONSE,
        },
    }
}

const INVALID_RESPONSE: &str = "AWS KMS cannot interpret the response from the external key store proxy. If you see this error repeatedly, report it to your external key store proxy administrator.";

fn refused_with(failure: &ProxyFailure, names: &[&str]) -> bool {
    matches!(failure, ProxyFailure::Refused(name) if names.contains(&name.as_str()))
}

/// A failed `GetHealthStatus` of `ConnectCustomKeyStore`: the store's
/// `ConnectionErrorCode` (API reference, `CustomKeyStoresListEntry`).
pub(super) fn connection_error_code(failure: &ProxyFailure) -> &'static str {
    match failure {
        ProxyFailure::NotReachable => "XKS_PROXY_NOT_REACHABLE",
        ProxyFailure::TimedOut => "XKS_PROXY_TIMED_OUT",
        ProxyFailure::Tls => "XKS_PROXY_INVALID_TLS_CONFIGURATION",
        ProxyFailure::NotAllowed => "XKS_PROXY_INVALID_CONFIGURATION",
        f if refused_with(f, &["AuthenticationFailedException"]) => "INVALID_CREDENTIALS",
        f if refused_with(f, &["AccessDeniedException"]) => "XKS_PROXY_ACCESS_DENIED",
        f if refused_with(f, &["InvalidUriPathException"]) => "XKS_PROXY_INVALID_CONFIGURATION",
        f if refused_with(f, &["DependencyTimeoutException", "ThrottlingException"]) => "XKS_PROXY_TIMED_OUT",
        _ => "XKS_PROXY_INVALID_RESPONSE",
    }
}

/// A failed `GetHealthStatus` of `CreateCustomKeyStore` (the spec's
/// *Create/UpdateCustomKeyStore* column).
pub(super) fn store_error(failure: &ProxyFailure) -> KmsError {
    let name = match failure {
        ProxyFailure::NotReachable | ProxyFailure::TimedOut | ProxyFailure::Tls => {
            ErrorName::XksProxyUriUnreachableException
        }
        ProxyFailure::NotAllowed => ErrorName::XksProxyInvalidConfigurationException,
        f if refused_with(f, &["AuthenticationFailedException"]) => {
            ErrorName::XksProxyIncorrectAuthenticationCredentialException
        }
        f if refused_with(f, &["InvalidUriPathException"]) => ErrorName::XksProxyInvalidConfigurationException,
        f if refused_with(f, &["DependencyTimeoutException", "ThrottlingException"]) => {
            ErrorName::XksProxyUriUnreachableException
        }
        _ => ErrorName::XksProxyInvalidResponseException,
    };
    KmsError::new(name, message(failure))
}

/// A failed `GetKeyMetadata` of `CreateKey` (the spec's *CreateKey* column).
pub(super) fn create_key_error(failure: &ProxyFailure) -> KmsError {
    let name = match failure {
        f if refused_with(f, &["InvalidStateException", "InvalidKeyUsageException"]) => {
            ErrorName::XksKeyInvalidConfigurationException
        }
        f if refused_with(f, &["KeyNotFoundException"]) => ErrorName::XksKeyNotFoundException,
        f if refused_with(f, &["AccessDeniedException"]) => ErrorName::KMSInvalidStateException,
        _ => ErrorName::CustomKeyStoreInvalidStateException,
    };
    KmsError::new(name, message(failure))
}

/// A failure in a cryptographic operation: always `KMSInvalidStateException`
/// ("AWS KMS cryptographic operations return `KMSInvalidStateException` for
/// all failures related to the external configuration or connection state
/// of the external key store", developer guide, *Troubleshooting external
/// key stores*), the message saying which.
pub(super) fn crypto_error(failure: &ProxyFailure) -> KmsError {
    KmsError::new(ErrorName::KMSInvalidStateException, message(failure))
}

/// What `CreateKey` requires of the external key (API reference,
/// `XksKeyInvalidConfigurationException`; spec, `GetKeyMetadata`): an
/// enabled `AES_256` key for `ENCRYPT` and `DECRYPT`.
pub(super) fn check_external_key(key_id: &str, metadata: &ExternalKeyMetadata) -> Result<(), KmsError> {
    let usable = ["ENCRYPT", "DECRYPT"]
        .iter()
        .all(|usage| metadata.key_usage.iter().any(|u| u == usage));
    let problem = if metadata.key_spec != "AES_256" {
        Some(format!("is a {} key, not AES_256", metadata.key_spec))
    } else if !usable {
        Some("does not perform both ENCRYPT and DECRYPT".to_owned())
    } else if metadata.key_status != "ENABLED" {
        Some(format!("is {}, not ENABLED", metadata.key_status))
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(KmsError::new(
            ErrorName::XksKeyInvalidConfigurationException,
            format!(
                "The external key {key_id} {problem}: an external key store needs an enabled AES_256 key that performs encryption and decryption."
            ),
        )),
    }
}

/// A `GetHealthStatus` answer: a proxy whose every external key manager is
/// `UNAVAILABLE` is not reachable (API reference, `ConnectionErrorCode`
/// `XKS_PROXY_NOT_REACHABLE`).
pub(super) fn healthy(answer: Result<ProxyAnswer, ProxyFailure>) -> Result<(), ProxyFailure> {
    match answer? {
        ProxyAnswer::Health(statuses) if statuses.iter().all(|s| s == "UNAVAILABLE") => Err(ProxyFailure::NotReachable),
        ProxyAnswer::Health(_) => Ok(()),
        _ => Err(ProxyFailure::InvalidResponse),
    }
}

/// An `https://` endpoint keyward simulates rather than calls: its host is
/// a name reserved for examples and tests (RFC 2606 and RFC 6761:
/// `example.com`, `example.net`, `example.org` and their subdomains, and
/// the `.example`, `.test` and `.invalid` domains), which no real proxy has.
pub fn reserved_for_examples(endpoint: &str) -> bool {
    let Some(rest) = endpoint.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(':').next().unwrap_or_default().to_ascii_lowercase();
    let under = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    [
        "example.com",
        "example.net",
        "example.org",
        "example",
        "test",
        "invalid",
    ]
    .iter()
    .any(|domain| under(domain))
}

/// An `http://` or `https://` endpoint on the loopback interface, with or
/// without a port: what keyward takes outside the model's pattern (plain
/// HTTP, or a port) where the process allows it.
pub fn loopback(endpoint: &str) -> bool {
    match endpoint.strip_prefix("https://") {
        Some(rest) => plain_loopback(&format!("http://{rest}")),
        None => plain_loopback(endpoint),
    }
}

/// Whether a process may call `endpoint`: one in the model's pattern
/// (`https://HOST`, no port), or, where the process opted in
/// (`plain_http_loopback`), a loopback one outside it. The rule of a new
/// store's endpoint and of every call to a proxy.
pub fn callable(endpoint: &str, plain_http_loopback: bool) -> bool {
    let in_model = endpoint
        .strip_prefix("https://")
        .is_some_and(|rest| !rest.contains(':'));
    in_model || (plain_http_loopback && loopback(endpoint))
}

/// The `XksProxyUriEndpoint` constraint, broken by a plain-HTTP endpoint in
/// a process that did not opt in.
fn plain_http_refused(endpoint: &str) -> KmsError {
    KmsError::constraint(
        Some(endpoint),
        "xksProxyUriEndpoint",
        "satisfy regular expression pattern: ^https://[a-zA-Z0-9.-]+$ (keyward takes a loopback endpoint outside it, http:// or with a port, only under `keyward serve --xks-plain-http` or `--test-mode`)",
    )
}

impl<C: Clock> Runtime<C> {
    /// Whether keyward calls this store's proxy rather than simulating it:
    /// an `http://` loopback endpoint; or, in a process that calls proxies
    /// (`Service::with_xks_proxies`), an `https://` one whose host is not
    /// [reserved for examples](reserved_for_examples).
    pub(super) fn live(&self, proxy: &XksProxy) -> bool {
        let endpoint = &proxy.uri_endpoint;
        plain_loopback(endpoint)
            || (self.xks.is_some() && endpoint.starts_with("https://") && !reserved_for_examples(endpoint))
    }

    /// A new or changed store's endpoint: outside the model's pattern
    /// (plain HTTP, or a port) only on loopback, and only where the process
    /// allows it.
    pub(super) fn check_endpoint(&self, proxy: &XksProxy) -> Result<(), KmsError> {
        let allowed = self.xks.as_ref().is_some_and(|p| p.plain_http_loopback());
        if !callable(&proxy.uri_endpoint, allowed) {
            return Err(plain_http_refused(&proxy.uri_endpoint));
        }
        Ok(())
    }

    /// The endpoint of a live store, if this process may call it.
    fn endpoint_of(&self, store: &CustomKeyStore) -> Result<Endpoint, ProxyFailure> {
        let proxies = self.xks.as_deref().ok_or(ProxyFailure::NotAllowed)?;
        let proxy = store
            .xks
            .as_ref()
            .filter(|p| self.live(p))
            .ok_or(ProxyFailure::NotAllowed)?;
        if loopback(&proxy.uri_endpoint) && !proxies.plain_http_loopback() {
            return Err(ProxyFailure::NotAllowed);
        }
        // A store saved without its secret (by an older keyward) cannot sign.
        let secret = proxy.secret.as_ref().ok_or(ProxyFailure::NotAllowed)?;
        Ok(Endpoint {
            uri_endpoint: proxy.uri_endpoint.clone(),
            uri_path: proxy.uri_path.clone(),
            access_key_id: proxy.access_key_id.clone(),
            secret: secret.clone(),
            region: self.region.clone(),
        })
    }

    /// Makes `call`: at once, or, when the service makes proxy calls
    /// outside its lock, from the answers it filed (`proxy_calls`).
    fn call_proxy(&self, call: ProxyCall) -> Result<ProxyAnswer, ProxyFailure> {
        match &self.proxy_calls {
            Some(calls) => calls.lock().unwrap_or_else(|p| p.into_inner()).answer(call),
            None => call.answer(self.xks.as_deref().ok_or(ProxyFailure::NotAllowed)?),
        }
    }

    /// `make()`, or what the previous round of this call drew for
    /// `purpose` (`proxy_calls`): a value drawn at random and sent to a
    /// proxy must be the same when the call runs again with the answer.
    pub(crate) fn replayed<K, T>(&self, purpose: K, make: impl FnOnce() -> T) -> T
    where
        K: PartialEq + Send + 'static,
        T: Clone + Send + 'static,
    {
        match &self.proxy_calls {
            Some(calls) => calls.lock().unwrap_or_else(|p| p.into_inner()).replayed(purpose, make),
            None => make(),
        }
    }

    /// The `GetHealthStatus` call of `store` for `operation`, if this
    /// process may call its proxy.
    pub(super) fn health_call(&self, store: &CustomKeyStore, operation: &str) -> Option<ProxyCall> {
        Some(ProxyCall {
            endpoint: self.endpoint_of(store).ok()?,
            ask: Ask::Health,
            principal_arn: String::new(),
            key_arn: None,
            operation: operation.to_owned(),
        })
    }

    /// `GetHealthStatus` for `operation` (`healthy`).
    pub(super) fn store_health(&self, store: &CustomKeyStore, operation: &str) -> Result<(), ProxyFailure> {
        let call = ProxyCall {
            endpoint: self.endpoint_of(store)?,
            ask: Ask::Health,
            principal_arn: String::new(),
            key_arn: None,
            operation: operation.to_owned(),
        };
        healthy(self.call_proxy(call))
    }

    /// `CreateKey` in a live store: the proxy's `GetKeyMetadata` for
    /// `XksKeyId`, refused as the spec's table and the API reference say.
    pub(super) fn check_new_external_key(
        &self,
        store_id: &str,
        xks_key_id: &str,
        caller: &Caller,
    ) -> Result<(), KmsError> {
        let Some(store) = self
            .stores
            .get(store_id)
            .filter(|s| s.xks.as_ref().is_some_and(|p| self.live(p)))
        else {
            return Ok(());
        };
        let call = ProxyCall {
            endpoint: self.endpoint_of(store).map_err(|f| create_key_error(&f))?,
            ask: Ask::KeyMetadata {
                key_id: xks_key_id.to_owned(),
            },
            principal_arn: caller.arn.clone(),
            key_arn: None,
            operation: "CreateKey".to_owned(),
        };
        match self.call_proxy(call) {
            Ok(ProxyAnswer::KeyMetadata(metadata)) => check_external_key(xks_key_id, &metadata),
            Ok(_) => Err(create_key_error(&ProxyFailure::InvalidResponse)),
            Err(f) => Err(create_key_error(&f)),
        }
    }

    /// The live store of `key`, if it is in one: its blobs are doubly
    /// encrypted.
    pub(super) fn live_store_of(&self, key: &Key) -> Option<&CustomKeyStore> {
        let in_store = key
            .custom_key_store
            .as_ref()
            .filter(|s| s.store_type == StoreType::External)?;
        self.stores
            .get(&in_store.id)
            .filter(|store| store.xks.as_ref().is_some_and(|p| self.live(p)))
    }

    /// A proxy call on `key`'s external key for `caller`'s `operation`.
    fn key_call(
        &self,
        key: &Key,
        store: &CustomKeyStore,
        caller: &Caller,
        operation: &str,
        ask: impl FnOnce(String) -> Ask,
    ) -> Result<ProxyCall, KmsError> {
        let endpoint = self.endpoint_of(store).map_err(|f| crypto_error(&f))?;
        let external = key
            .custom_key_store
            .as_ref()
            .and_then(|s| s.xks_key_id.clone())
            .ok_or_else(|| crypto_error(&ProxyFailure::NotAllowed))?;
        Ok(ProxyCall {
            endpoint,
            ask: ask(external),
            principal_arn: caller.arn.clone(),
            key_arn: Some(key.arn.clone()),
            operation: operation.to_owned(),
        })
    }

    /// Double encryption, outer layer (developer guide, *External key
    /// stores*: KMS encrypts with the key's own material, then the proxy
    /// encrypts that ciphertext with the external key): the body of the
    /// version-1 `blob` is encrypted by the proxy with the version-1 header
    /// as AAD, giving a version-2 blob.
    pub(super) fn seal_outer(
        &self,
        key: &Key,
        store: &CustomKeyStore,
        blob: &[u8],
        caller: &Caller,
        operation: &str,
    ) -> Result<Vec<u8>, KmsError> {
        let internal = || {
            KmsError::new(
                ErrorName::KMSInternalException,
                "The ciphertext could not be assembled.",
            )
        };
        let (header, body) = crypto::inner_parts(blob).map_err(|_| internal())?;
        let call = self.key_call(key, store, caller, operation, |key_id| Ask::Encrypt {
            key_id,
            plaintext: body.to_vec(),
            aad: header.to_vec(),
        })?;
        match self.call_proxy(call) {
            Ok(ProxyAnswer::Encrypted(outer)) => crypto::wrap_outer(header, &outer).ok_or_else(internal),
            Ok(_) => Err(crypto_error(&ProxyFailure::InvalidResponse)),
            Err(f) => Err(crypto_error(&f)),
        }
    }

    /// The version-1 blob inside the version-2 `blob`, from the proxy's
    /// `Decrypt`. A version-1 blob is refused: a key of a live store has
    /// none of its own.
    pub(super) fn open_outer(
        &self,
        key: &Key,
        store: &CustomKeyStore,
        blob: &[u8],
        caller: &Caller,
        operation: &str,
    ) -> Result<Vec<u8>, KmsError> {
        let invalid = || KmsError::new(ErrorName::InvalidCiphertextException, "");
        let (header, outer) = crypto::unwrap_outer(blob).map_err(|_| invalid())?;
        let call = self.key_call(key, store, caller, operation, |key_id| Ask::Decrypt {
            key_id,
            sealed: outer,
            aad: header.to_vec(),
        })?;
        match self.call_proxy(call) {
            Ok(ProxyAnswer::Decrypted(body)) => Ok(crypto::join_inner(&header, &body)),
            Ok(_) => Err(crypto_error(&ProxyFailure::InvalidResponse)),
            Err(f) => Err(crypto_error(&f)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_loopback_endpoints_are_plain_loopback() {
        for yes in [
            "http://127.0.0.1",
            "http://127.0.0.1:4600",
            "http://localhost:1",
            "http://[::1]:65535",
        ] {
            assert!(plain_loopback(yes), "{yes}");
        }
        for no in [
            "https://127.0.0.1:4600",
            "http://127.0.0.2:4600",
            "http://localhost.example.com",
            "http://127.0.0.1:4600/path",
            "http://127.0.0.1:",
            "http://127.0.0.1:123456",
            "http://127.0.0.1:65536",
            "http://127.0.0.1:0",
            "http://127.0.0.1:+80",
            "http://[::1]x",
            "http://example.com",
        ] {
            assert!(!plain_loopback(no), "{no}");
        }
    }

    /// The model's `XksProxyUriEndpoint` pattern, `^https://[a-zA-Z0-9.-]+$`
    /// (CreateCustomKeyStore, API reference), always; a loopback endpoint
    /// outside it only with the opt-in.
    #[test]
    fn callable_endpoints_are_the_model_s_or_an_opted_in_loopback() {
        for always in ["https://xks.example.com", "https://localhost"] {
            assert!(callable(always, false) && callable(always, true), "{always}");
        }
        for opted_in in ["http://127.0.0.1:4600", "https://localhost:4600", "http://[::1]"] {
            assert!(!callable(opted_in, false) && callable(opted_in, true), "{opted_in}");
        }
        for never in [
            "http://xks.example.com",
            "https://xks.example.com:8443",
            "ftp://127.0.0.1",
        ] {
            assert!(!callable(never, false) && !callable(never, true), "{never}");
        }
    }

    #[test]
    fn a_refused_credential_is_invalid_credentials_on_connect_and_its_own_exception_on_create() {
        // XKS Proxy API spec, Error Codes, KMS Considerations.
        let refused = ProxyFailure::Refused("AuthenticationFailedException".into());
        assert_eq!(connection_error_code(&refused), "INVALID_CREDENTIALS");
        assert_eq!(
            store_error(&refused).name,
            ErrorName::XksProxyIncorrectAuthenticationCredentialException
        );
        assert_eq!(
            create_key_error(&refused).name,
            ErrorName::CustomKeyStoreInvalidStateException
        );
        assert_eq!(crypto_error(&refused).name, ErrorName::KMSInvalidStateException);
    }

    #[test]
    fn transport_failures_have_their_connection_error_codes() {
        assert_eq!(
            connection_error_code(&ProxyFailure::NotReachable),
            "XKS_PROXY_NOT_REACHABLE"
        );
        assert_eq!(connection_error_code(&ProxyFailure::TimedOut), "XKS_PROXY_TIMED_OUT");
        assert_eq!(
            connection_error_code(&ProxyFailure::InvalidResponse),
            "XKS_PROXY_INVALID_RESPONSE"
        );
        let path = ProxyFailure::Refused("InvalidUriPathException".into());
        assert_eq!(connection_error_code(&path), "XKS_PROXY_INVALID_CONFIGURATION");
        assert_eq!(
            store_error(&ProxyFailure::TimedOut).name,
            ErrorName::XksProxyUriUnreachableException
        );
    }

    #[test]
    fn create_key_refuses_an_external_key_that_is_not_an_enabled_aes_256_encrypt_decrypt_key() {
        let good = ExternalKeyMetadata {
            key_spec: "AES_256".into(),
            key_usage: vec!["ENCRYPT".into(), "DECRYPT".into(), "WRAP".into()],
            key_status: "ENABLED".into(),
        };
        assert!(check_external_key("k", &good).is_ok());
        let bad = [
            ExternalKeyMetadata {
                key_spec: "AES_128".into(),
                ..good.clone()
            },
            ExternalKeyMetadata {
                key_usage: vec!["ENCRYPT".into()],
                ..good.clone()
            },
            ExternalKeyMetadata {
                key_status: "DISABLED".into(),
                ..good.clone()
            },
        ];
        for metadata in bad {
            let e = check_external_key("k", &metadata).unwrap_err();
            assert_eq!(e.name, ErrorName::XksKeyInvalidConfigurationException, "{metadata:?}");
        }
        let missing = ProxyFailure::Refused("KeyNotFoundException".into());
        assert_eq!(create_key_error(&missing).name, ErrorName::XksKeyNotFoundException);
    }
}
