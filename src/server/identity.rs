//! Who is calling: the `Authorization` header verified as SigV4 against the
//! access keys of the accounts file, or the temporary credentials of an
//! `AssumeRole` session (with its `X-Amz-Security-Token`), gives the
//! principal, and its credential scope gives the Region. In test mode an
//! unknown access key is the root of the account it names (12 digits) or of
//! the default account, unsigned.

use hyper::http::request::Parts;

use super::error::WireError;
use super::sessions::{Found, Sessions};
use super::sigv4::{self, AuthorizationHeader};
use super::Config;
use crate::eval::Caller;

/// The longest `User-Agent` kept for the audit log.
const MAX_USER_AGENT: usize = 512;

/// An authenticated caller and the Region its request is for.
#[derive(Debug)]
pub struct Identity {
    pub caller: Caller,
    pub region: String,
}

pub fn authenticate(
    config: &Config,
    sessions: &Sessions,
    parts: &Parts,
    body: &[u8],
    service: &str,
    peer: std::net::IpAddr,
    now: i64,
) -> Result<Identity, WireError> {
    let header = parts
        .headers
        .get("authorization")
        .ok_or_else(|| WireError::client("MissingAuthenticationTokenException", "Missing Authentication Token"))?
        .to_str()
        .map_err(|_| WireError::client("IncompleteSignatureException", "the Authorization header is not ASCII"))?;
    let auth = AuthorizationHeader::parse(header)?;
    let token = parts.headers.get("x-amz-security-token").map(|v| v.as_bytes());
    let session = match config.accounts.access_keys.get(auth.access_key) {
        Some(_) => None,
        None => sessions.find(auth.access_key, token, now),
    };
    let mut session_tags = Vec::new();
    let principal = match (config.accounts.access_keys.get(auth.access_key), session) {
        (Some(key), _) => {
            auth.verify(parts, body, &key.secret, service, now)?;
            key.principal.clone()
        }
        (
            None,
            Some(Found::Valid {
                principal,
                tags,
                secret,
            }),
        ) => {
            auth.verify(parts, body, &secret, service, now)?;
            session_tags = tags;
            principal
        }
        (None, Some(Found::Expired)) => {
            return Err(WireError::client(
                "ExpiredTokenException",
                "The security token included in the request is expired",
            ))
        }
        (None, Some(Found::WrongToken)) => {
            return Err(WireError::client(
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            ))
        }
        (None, None) if config.test_mode => {
            if !sigv4::is_region(auth.region) {
                return Err(WireError::client(
                    "InvalidSignatureException",
                    format!("Credential should be scoped to a valid region, not '{}'.", auth.region),
                ));
            }
            let named = auth.access_key.len() == 12 && auth.access_key.bytes().all(|b| b.is_ascii_digit());
            let account = if named {
                auth.access_key
            } else {
                config.default_account.as_str()
            };
            format!("arn:aws:iam::{account}:root")
        }
        (None, None) => {
            return Err(WireError::client(
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            ))
        }
    };
    let mut caller = Caller::parse(&principal).map_err(|e| WireError::internal(e.to_string()))?;
    caller.session_tags = session_tags;
    caller.source_ip = Some(peer.to_string());
    caller.user_agent = parts.headers.get("user-agent").map(|v| {
        String::from_utf8_lossy(v.as_bytes())
            .chars()
            .take(MAX_USER_AGENT)
            .collect()
    });
    Ok(Identity {
        caller,
        region: auth.region.to_owned(),
    })
}
