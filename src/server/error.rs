//! What the server answers when it refuses a request: an HTTP status and an
//! AWS error name (`__type`) with its message. KMS errors keep their names;
//! the front end adds AWS's generic ones (signatures, unknown operations,
//! malformed or oversized bodies). [`ServeError`] is why a server cannot
//! start.

use std::path::PathBuf;

use crate::kms::{ErrorName, KmsError};

/// A refused request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError {
    pub status: u16,
    pub name: &'static str,
    pub message: String,
}

impl WireError {
    /// A client error: HTTP 400, which SDKs do not retry.
    pub fn client(name: &'static str, message: impl Into<String>) -> WireError {
        WireError {
            status: 400,
            name,
            message: message.into(),
        }
    }

    pub fn with_status(self, status: u16) -> WireError {
        WireError { status, ..self }
    }

    /// A failure inside keyward (HTTP 500, which SDKs retry).
    pub fn internal(message: impl Into<String>) -> WireError {
        WireError::client(ErrorName::KMSInternalException.as_str(), message).with_status(500)
    }
}

impl From<KmsError> for WireError {
    fn from(e: KmsError) -> WireError {
        let status = match e.name {
            ErrorName::KMSInternalException => 500,
            _ => 400,
        };
        WireError {
            status,
            name: e.name.as_str(),
            message: e.message,
        }
    }
}

/// Why `keyward serve` cannot start.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ServeError {
    #[error("`--test-mode` accepts unsigned callers, so it is only allowed on a loopback address, not `{0}`")]
    #[diagnostic(
        code(keyward::serve::test_mode_exposed),
        help("bind to 127.0.0.1 or [::1], or leave out `--test-mode`")
    )]
    TestModeExposed(std::net::SocketAddr),
    #[error("the state directory `{}` is in use by another keyward process", .0.display())]
    #[diagnostic(code(keyward::serve::state_in_use))]
    StateInUse(PathBuf),
    #[error("cannot open the state in `{}`: {message}", .path.display())]
    #[diagnostic(code(keyward::serve::state))]
    State { path: PathBuf, message: String },
    #[error("cannot listen: {0}")]
    #[diagnostic(code(keyward::serve::listen))]
    Listen(std::io::Error),
    #[error("{0}")]
    #[diagnostic(
        code(keyward::serve::xks_tls_file),
        help("give PEM files: CA certificates (`--xks-ca-file`), a certificate chain, leaf first, and its private key (`--xks-client-cert`, `--xks-client-key`)")
    )]
    XksTlsFile(crate::xks::proxies::PemFileError),
}
