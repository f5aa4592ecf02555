//! `keyward xks-proxy`: an external key store proxy (XKS Proxy API v1) on
//! keys it makes at start and keeps in memory, for trying the external key
//! store path locally and testing XKS clients (`keyward::xks`).

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use keyward::source::read::{self, Kind};
use keyward::xks::api::{Keys, XksKey};
use keyward::xks::server::{serve, tls_config, ProxyConfig};
use zeroize::Zeroizing;

use super::Exit;

/// Serve the XKS Proxy API (SigV4-signed HTTP or HTTPS) from in-memory AES-256 keys.
#[derive(Debug, clap::Args)]
pub struct XksProxyArgs {
    /// The address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:4600")]
    pub bind: SocketAddr,
    /// The path before `/kms/xks/v1` (`XksProxyUriPath` less that suffix), such as `/example`.
    #[arg(long, default_value = "", value_name = "PATH")]
    pub uri_prefix: String,
    /// The access key id requests are signed with (`XksProxyAuthenticationCredential.AccessKeyId`).
    #[arg(long, value_name = "ID")]
    pub access_key_id: String,
    /// A file holding the secret access key (`RawSecretAccessKey`), never given on the command line.
    #[arg(long, value_name = "FILE")]
    pub secret_access_key_file: PathBuf,
    /// An external key id to create (fresh AES-256 material); repeat for more.
    #[arg(long = "key", value_name = "ID", required = true)]
    pub keys: Vec<String>,
    /// Serve HTTPS (TLS 1.2 and 1.3) with this PEM certificate chain, leaf
    /// first, as KMS requires of a proxy; with `--tls-key`.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of `--tls-cert`.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Require a client certificate chained to a CA of this PEM file
    /// (mutual TLS, as the XKS Proxy API lets a proxy require of KMS);
    /// a client without one, or with one from another CA, fails the
    /// handshake. With `--tls-cert`.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_client_ca: Option<PathBuf>,
    /// With `--tls-client-ca`, also require this common name in the client
    /// certificate's subject, as the spec lets a proxy require KMS's
    /// `cks.kms.<Region>.amazonaws.com`.
    #[arg(long, value_name = "NAME", requires = "tls_client_ca")]
    pub tls_client_subject: Option<String>,
}

pub fn run(args: &XksProxyArgs) -> Exit {
    let fail = |message: String| {
        eprintln!("error: {message}");
        Exit::Failure
    };
    if !args.uri_prefix.is_empty() && (!args.uri_prefix.starts_with('/') || args.uri_prefix.ends_with('/')) {
        return fail(format!(
            "`--uri-prefix {}` must start with `/` and not end with one (or be empty)",
            args.uri_prefix
        ));
    }
    let secret = match read::secret_text(&args.secret_access_key_file, Kind::Parameter) {
        Ok(text) => Zeroizing::new(text.trim().to_owned()),
        Err(e) => return fail(e.to_string()),
    };
    if let Err(refused) = credential_check(&args.access_key_id, &secret) {
        return fail(format!(
            "CreateCustomKeyStore would refuse this access key id or secret, so no store could use the \
             proxy: {}",
            refused.message
        ));
    }
    let mut keys = Keys::default();
    for id in &args.keys {
        if id.is_empty() || id.contains('/') || keys.0.insert(id.clone(), XksKey::generate()).is_some() {
            return fail(format!("`--key {id}`: key ids are distinct, non-empty and without `/`"));
        }
    }
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(certificate), Some(key)) => match tls_config(
            certificate,
            key,
            args.tls_client_ca.as_deref(),
            args.tls_client_subject.as_deref(),
        ) {
            Ok(tls) => Some(tls),
            Err(e) => return fail(e.to_string()),
        },
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let config = ProxyConfig {
        uri_prefix: args.uri_prefix.clone(),
        access_key_id: args.access_key_id.clone(),
        secret_access_key: secret,
        keys,
        tls,
    };
    let listener = match std::net::TcpListener::bind(args.bind) {
        Ok(listener) => listener,
        Err(e) => return fail(format!("cannot listen on {}: {e}", args.bind)),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    if let Ok(address) = listener.local_addr() {
        // The first line of output; scripts and tests read the port from it.
        println!(
            "keyward xks-proxy: listening on {scheme}://{address}{}/kms/xks/v1",
            args.uri_prefix
        );
        let _ = std::io::stdout().flush();
    }
    match runtime.block_on(serve(config, listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })) {
        Ok(()) => Exit::Success,
        Err(e) => fail(format!("the proxy stopped: {e}")),
    }
}

/// The credential against `CreateCustomKeyStore`'s constraints on it (the
/// API model's: an access key id of 20–30 characters of `A-Z2-7`, a secret of
/// 43–64 of `a-zA-Z0-9/+=`); values are not echoed (they are sensitive).
fn credential_check(access_key_id: &str, secret: &str) -> Result<(), keyward::kms::KmsError> {
    keyward::kms::op::model::check(
        "CreateCustomKeyStore",
        &serde_json::json!({
            "CustomKeyStoreName": "keyward-xks-proxy",
            "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
            "XksProxyAuthenticationCredential": {
                "AccessKeyId": access_key_id,
                "RawSecretAccessKey": secret,
            },
        }),
    )
}
