//! `keyward serve`: the KMS JSON API (AWS JSON 1.1) over HTTP/1.1, for AWS
//! SDKs and the AWS CLI. [`Server::run`] accepts connections and hands
//! each request to `http::handle`, which authenticates it (`identity`,
//! `sigv4`), runs it on the runtime of its account and Region (`state`,
//! through `kms::op::call_json`) and answers; `sts` answers
//! `GetCallerIdentity`. Shutting down finishes the requests in flight and
//! the saves behind them.

mod access_log;
mod assume_role;
mod error;
mod form;
mod http;
mod identity;
mod session_token;
mod sessions;
pub mod sigv4;
mod state;
mod sts;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;

pub use error::{ServeError, WireError};

use crate::suite::Accounts;

/// The largest request body accepted (a key policy is at most 32 KiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;

/// The most connections served at once, by default. Beyond it, new
/// connections wait in the listen queue until one closes.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// How long a client may take to send its request headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// How often, at most, the server says it is at its connection limit.
const FULL_REPORT_EVERY: Duration = Duration::from_secs(60);

/// How long shutting down waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// What a server serves and how.
#[derive(Debug)]
pub struct Config {
    /// Identities and access keys.
    pub accounts: Accounts,
    /// The account of unknown access keys in test mode.
    pub default_account: String,
    /// The Region whose runtime is opened at start (others on first use).
    pub default_region: String,
    /// The state directory, or `None` to keep everything in memory.
    pub state_dir: Option<PathBuf>,
    /// Accept unknown access keys unsigned, and the reset paths.
    pub test_mode: bool,
    /// How external key store proxies are reached (`--xks-*`); `test_mode`
    /// implies `plain_http_loopback`.
    pub xks: crate::xks::proxies::ProxyOptions,
    /// How often connected stores' proxies are asked for their health.
    pub xks_health_check_interval: std::time::Duration,
    pub max_body_bytes: usize,
    /// The most connections served at once (at least 1).
    pub max_connections: usize,
    /// One line per request on standard error.
    pub access_log: bool,
    /// Whether a call that changes nothing answers before its audit record
    /// is on disk (`--audit-durability`).
    pub audit_durability: crate::kms::AuditDurability,
    /// Test hook: fail the store's commit of this number (the first is 1),
    /// as a full disk would (`KEYWARD_TEST_FAIL_COMMIT` for `keyward serve`).
    #[doc(hidden)]
    pub fail_commit: Option<u64>,
}

struct Shared {
    config: Config,
    kms: state::Kms,
    access_log: access_log::AccessLog,
    /// Temporary credentials `AssumeRole` handed out.
    sessions: sessions::Sessions,
}

/// A server bound to its address, not yet running.
pub struct Server {
    shared: Arc<Shared>,
    listener: std::net::TcpListener,
}

impl Server {
    /// Checks the configuration against the address and opens the default
    /// account and Region's state. Test mode is refused off loopback: it
    /// lets anyone in unsigned.
    pub fn new(mut config: Config, listener: std::net::TcpListener) -> Result<Server, ServeError> {
        let address = listener.local_addr().map_err(ServeError::Listen)?;
        if config.test_mode && !address.ip().is_loopback() {
            return Err(ServeError::TestModeExposed(address));
        }
        let identities = std::mem::take(&mut config.accounts.identities);
        let store: Box<dyn crate::kms::Store> = match &config.state_dir {
            Some(dir) => Box::new(crate::store::SqliteStore::open(dir).map_err(|e| ServeError::State {
                path: dir.clone(),
                message: format!("{:?}", miette::Report::new(e)),
            })?),
            None => Box::new(crate::store::MemoryStore::default()),
        };
        let store = crate::store::FailingStore::boxed(store, config.fail_commit);
        let mut proxies = config.xks.proxies().map_err(ServeError::XksTlsFile)?;
        proxies.plain_http_loopback |= config.test_mode;
        let kms = crate::kms::Service::open(
            store,
            identities,
            crate::kms::runtime::SystemClock,
            &config.default_account,
        )
        .map_err(|e| ServeError::State {
            path: config.state_dir.clone().unwrap_or_default(),
            message: format!("{:?}", miette::Report::new(e)),
        })?
        .with_audit_durability(config.audit_durability)
        .with_xks_proxies(Arc::new(proxies))
        .with_health_check_interval(config.xks_health_check_interval);
        let kms = std::sync::Arc::new(kms);
        listener.set_nonblocking(true).map_err(ServeError::Listen)?;
        Ok(Server {
            shared: Arc::new(Shared {
                access_log: access_log::AccessLog::start(config.access_log),
                config,
                kms,
                sessions: sessions::Sessions::default(),
            }),
            listener,
        })
    }

    pub fn local_addr(&self) -> Result<SocketAddr, ServeError> {
        self.listener.local_addr().map_err(ServeError::Listen)
    }

    /// Serves until `shutdown` completes, then stops accepting, lets the
    /// requests in flight finish (for up to 30 seconds) and waits for their
    /// saves. Must run inside a tokio runtime.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), ServeError> {
        let listener = tokio::net::TcpListener::from_std(self.listener).map_err(ServeError::Listen)?;
        let graceful = GracefulShutdown::new();
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
        tokio::pin!(shutdown);
        let limit = self.shared.config.max_connections.max(1);
        let slots = Arc::new(tokio::sync::Semaphore::new(limit));
        let mut full_since: Option<std::time::Instant> = None;
        loop {
            // A slot first: at the limit, accept nothing until a connection
            // closes, so new ones wait in the kernel's listen queue.
            let slot = match Arc::clone(&slots).try_acquire_owned() {
                Ok(slot) => slot,
                Err(_) => {
                    if full_since.is_none_or(|since| since.elapsed() >= FULL_REPORT_EVERY) {
                        eprintln!(
                            "keyward serve: {limit} connections open (the `--max-connections` limit); new ones wait until one closes"
                        );
                        full_since = Some(std::time::Instant::now());
                    }
                    tokio::select! {
                        slot = Arc::clone(&slots).acquire_owned() => match slot {
                            Ok(slot) => slot,
                            Err(_) => break,
                        },
                        () = &mut shutdown => break,
                    }
                }
            };
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(accepted) => accepted,
                        Err(e) => {
                            // Out of file descriptors, say: wait rather than spin.
                            eprintln!("keyward serve: cannot accept a connection: {e}");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    let shared = Arc::clone(&self.shared);
                    let service = hyper::service::service_fn(move |request| http::handle(Arc::clone(&shared), peer, request));
                    let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
                    tokio::spawn(async move {
                        let _ = connection.await;
                        drop(slot);
                    });
                }
                () = &mut shutdown => break,
            }
        }
        drop(listener);
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
        let shared = Arc::clone(&self.shared);
        let _ = tokio::task::spawn_blocking(move || {
            shared.access_log.close();
        })
        .await;
        Ok(())
    }
}
