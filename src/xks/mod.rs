//! `keyward xks-proxy`: an external key store proxy serving the XKS Proxy
//! API v1 (`api`) over HTTP with SigV4 authentication (`server`), from
//! keys it holds in memory, so the external-key-store path can be tried
//! locally; and the KMS side: the client of that API (`client`) and the
//! runtime's link to proxies built on it (`proxies`).

pub mod api;
pub mod client;
mod client_auth;
pub mod proxies;
pub mod server;
mod tls;

#[cfg(test)]
mod tests;
