//! The TLS both sides of the XKS Proxy API use: rustls with *ring*'s
//! cryptography, TLS 1.2 and 1.3 only (the spec's *API content type*: "TLS
//! 1.2 or later", with AES-256-GCM and ChaCha20-Poly1305 suites that *ring*
//! offers among its defaults).

use std::sync::Arc;

/// *ring*'s provider. rustls marks it deprecated because it has no
/// post-quantum key exchange, which the XKS spec does not ask for; the
/// provider that has one (aws-lc-rs) builds a large C library.
#[allow(deprecated)]
pub(crate) fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// TLS 1.3 and 1.2, in that order of preference.
pub(crate) const VERSIONS: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS13, &rustls::version::TLS12];
