//! `keyward xks-proxy`: an external key store proxy serving the XKS Proxy
//! API v1 (`api`) over HTTP with SigV4 authentication (`server`), from
//! keys it holds in memory, so the external-key-store path can be tried
//! locally; and the KMS side's client of that API (`client`), tested
//! against it on loopback.

pub mod api;
pub mod client;
pub mod server;

#[cfg(test)]
mod tests;
