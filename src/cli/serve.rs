//! `keyward serve`: the arguments, the checks made before binding, and the
//! tokio runtime the server runs on until SIGINT or SIGTERM.

use std::io::Write as _;
use std::net::SocketAddr;

use keyward::kms::AuditDurability;
use keyward::server::{Config, Server, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONNECTIONS};
use keyward::suite::Accounts;

use super::kms_args::Session;
use super::Exit;

/// Serve the KMS JSON API over HTTP, SigV4-authenticated.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:4599")]
    pub bind: SocketAddr,
    /// The account of unknown access keys in `--test-mode` (default: `--account`).
    #[arg(long, value_name = "ID")]
    pub default_account: Option<String>,
    /// The Region whose state is opened at start (default: `--region`).
    #[arg(long, value_name = "REGION")]
    pub default_region: Option<String>,
    /// Accept unknown access keys without a signature, as the root of the
    /// account they name (12 digits) or of the default account, and answer
    /// `POST /moto-api/reset` and `POST /_keyward/reset`. Loopback only.
    #[arg(long)]
    pub test_mode: bool,
    /// How often the proxies of connected external key stores are asked for
    /// their health (`KmsHealthCheck`; AWS: every few minutes), in seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub xks_health_check_interval: u64,
    /// The largest request body accepted, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES, value_name = "BYTES")]
    pub max_body_bytes: usize,
    /// The most connections served at once; beyond it, new connections wait
    /// (in the listen queue) until one closes.
    #[arg(long, default_value_t = DEFAULT_MAX_CONNECTIONS, value_name = "N", value_parser = connection_count)]
    pub max_connections: usize,
    /// When the audit record of a call that changes nothing (Encrypt,
    /// Decrypt, a refused call) is saved: `sync`, before the answer; or
    /// `batched`, by the store's writer right after it (a crash loses the
    /// records still queued). Calls that change state always commit before
    /// they answer. See docs/store.md.
    #[arg(long, default_value = "sync", value_name = "sync|batched", value_parser = audit_durability)]
    pub audit_durability: AuditDurability,
    /// Do not print one line per request on standard error.
    #[arg(long)]
    pub quiet: bool,
}

fn audit_durability(value: &str) -> Result<AuditDurability, String> {
    value.parse()
}

/// Parses `--max-connections N`: 1 to a million.
fn connection_count(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n @ 1..=1_000_000) => Ok(n),
        _ => Err("expected a number of connections from 1 to 1000000".to_owned()),
    }
}

fn report(e: impl miette::Diagnostic + Send + Sync + 'static) -> Exit {
    eprintln!("{:?}", miette::Report::new(e));
    Exit::Failure
}

pub fn run(session: &Session, args: &ServeArgs) -> Exit {
    let meaningless = [
        ("--as", session.caller.is_some()),
        ("--via-service", session.via_service.is_some()),
        ("--output", session.output.is_some()),
    ];
    if let Some((flag, _)) = meaningless.iter().find(|(_, given)| *given) {
        eprintln!("error: `{flag}` has no meaning for `keyward serve`: each request's access key names its caller");
        return Exit::Failure;
    }
    let accounts = match &session.accounts {
        Some(path) => match Accounts::load(path) {
            Ok(accounts) => accounts,
            Err(e) => return report(e),
        },
        None => Accounts::default(),
    };
    let default_account = args.default_account.clone().unwrap_or_else(|| session.account.clone());
    if default_account.len() != 12 || !default_account.bytes().all(|b| b.is_ascii_digit()) {
        eprintln!("error: `{default_account}` is not a 12-digit account id");
        return Exit::Failure;
    }
    if accounts.access_keys.is_empty() && !args.test_mode {
        eprintln!("warning: no access keys (give `--accounts FILE` with `access_keys`, or `--test-mode`): every call will be refused");
    }
    let state_dir = (!session.ephemeral).then(|| session.state.clone().unwrap_or_else(keyward::store::default_dir));
    let config = Config {
        accounts,
        default_account,
        default_region: args.default_region.clone().unwrap_or_else(|| session.region.clone()),
        state_dir: state_dir.clone(),
        test_mode: args.test_mode,
        xks: session.xks.options(),
        xks_health_check_interval: std::time::Duration::from_secs(args.xks_health_check_interval),
        max_body_bytes: args.max_body_bytes,
        max_connections: args.max_connections,
        access_log: !args.quiet,
        audit_durability: args.audit_durability,
        fail_commit: super::kms::test_fail_commit(),
    };
    let listener = match std::net::TcpListener::bind(args.bind) {
        Ok(listener) => listener,
        Err(e) => return report(keyward::server::ServeError::Listen(e)),
    };
    let server = match Server::new(config, listener) {
        Ok(server) => server,
        Err(e) => return report(e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return Exit::Failure;
        }
    };
    if let Ok(address) = server.local_addr() {
        // The first line of output; scripts and tests read the port from it.
        outln!("keyward serve: listening on http://{address}");
        let _ = std::io::stdout().flush();
        match &state_dir {
            Some(dir) => eprintln!(
                "keyward serve: state in {} (every account and Region, shared with the CLI)",
                dir.display()
            ),
            None => eprintln!("keyward serve: state in memory only (--ephemeral)"),
        }
    }
    match runtime.block_on(server.run(shutdown_signal())) {
        Ok(()) => {
            eprintln!("keyward serve: stopped; every answered call is saved");
            Exit::Success
        }
        Err(e) => report(e),
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
