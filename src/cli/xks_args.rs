//! How external key store proxies are reached: the flags every command that
//! calls KMS shares (`keyward serve`, `keyward kms <operation>`, keyward's
//! own verbs, `keyward repl`, `keyward run`), global in the session's flags,
//! one definition (docs/custom-key-stores.md).

use std::path::PathBuf;

use keyward::kms::runtime::SharedProxies;
use keyward::xks::proxies::ProxyOptions;

/// The `--xks-*` flags, under their own heading in every command's help.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "External key store proxies (every command that calls KMS)")]
pub struct ProxyArgs {
    /// Let external key stores use a proxy at a loopback endpoint outside
    /// AWS's `https://HOST` (plain HTTP such as `http://127.0.0.1:PORT`, or
    /// a port such as `https://localhost:PORT`), such as `keyward
    /// xks-proxy`. Implied by `serve --test-mode`. See
    /// docs/custom-key-stores.md.
    #[arg(long, global = true)]
    pub xks_plain_http: bool,
    /// How long a call to an external key store proxy may take before it
    /// fails as timed out (AWS KMS waits 250 ms).
    #[arg(long, global = true, default_value_t = 250, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub xks_timeout_ms: u64,
    /// A PEM file of CA certificates to trust, besides the system's roots,
    /// for `https://` external key store proxies (a private CA's root).
    #[arg(long, global = true, value_name = "PATH")]
    pub xks_ca_file: Option<PathBuf>,
    /// A PEM certificate chain (leaf first) to present to external key
    /// store proxies that require a client certificate (mutual TLS); with
    /// `--xks-client-key`.
    #[arg(long, global = true, value_name = "FILE", requires = "xks_client_key")]
    pub xks_client_cert: Option<PathBuf>,
    /// The PEM private key of `--xks-client-cert` (zeroized once loaded).
    #[arg(long, global = true, value_name = "FILE", requires = "xks_client_cert")]
    pub xks_client_key: Option<PathBuf>,
}

impl ProxyArgs {
    /// The options the flags give.
    pub fn options(&self) -> ProxyOptions {
        ProxyOptions {
            plain_http_loopback: self.xks_plain_http,
            timeout: std::time::Duration::from_millis(self.xks_timeout_ms),
            ca_file: self.xks_ca_file.clone(),
            client_certificate: self.xks_client_cert.clone().zip(self.xks_client_key.clone()),
        }
    }

    /// The proxy client for a command that calls KMS in this process; a file
    /// that cannot be used is an error message.
    pub fn proxies(&self) -> Result<SharedProxies, String> {
        match self.options().proxies() {
            Ok(proxies) => Ok(std::sync::Arc::new(proxies)),
            Err(e) => Err(e.to_string()),
        }
    }
}
