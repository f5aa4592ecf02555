//! `keyward xks-proxy`: an external key store proxy serving the XKS Proxy
//! API v1 (`api`) over HTTP with SigV4 authentication (`server`), from
//! keys it holds in memory, so the external-key-store path can be tried
//! locally and a KMS client of the API can be tested against it.

pub mod api;
pub mod server;

#[cfg(test)]
mod tests;
