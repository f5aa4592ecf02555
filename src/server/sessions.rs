//! The temporary credentials `sts:AssumeRole` hands out: an access key id
//! (`ASIA…`), a secret and a session token, valid until they expire, kept in
//! the server's memory (a restart ends every session, as a new STS would
//! not know them). A request signed with them must carry the token in
//! `X-Amz-Security-Token`. Secrets and tokens are zeroized when dropped and
//! never printed.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine as _;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The most sessions kept at once; when full, the one that expires first
/// makes room.
pub const MAX_SESSIONS: usize = 100_000;

/// One session's credentials.
struct Session {
    principal: String,
    /// Its session tags (`aws:PrincipalTag/<key>`).
    tags: Vec<(String, String)>,
    secret: Zeroizing<String>,
    token: Zeroizing<String>,
    expires: i64,
}

/// Credentials as handed out.
pub struct Issued {
    pub access_key_id: String,
    pub secret_access_key: Zeroizing<String>,
    pub session_token: Zeroizing<String>,
    pub expires: i64,
}

/// What a request's access key is among the sessions.
pub enum Found {
    /// Valid: the principal it signs as, and the secret to check with.
    Valid {
        principal: String,
        tags: Vec<(String, String)>,
        secret: Zeroizing<String>,
    },
    /// Known but past its expiry.
    Expired,
    /// Known, but the request's token is missing or another.
    WrongToken,
}

#[derive(Default)]
pub struct Sessions {
    by_key: Mutex<HashMap<String, Session>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sessions([REDACTED])")
    }
}

/// `ASIA` and 16 characters of AWS's access key alphabet.
fn access_key_id() -> String {
    use crate::eval::unique_id::ALPHABET;
    let random = crate::crypto::random_bytes(16);
    let tail: String = random
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect();
    format!("ASIA{tail}")
}

fn random_text(bytes: usize) -> Zeroizing<String> {
    let random = crate::crypto::random_bytes(bytes);
    Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(random.as_slice()))
}

impl Issued {
    /// STS's `<Credentials>` element (the secret and token in it: the
    /// caller zeroizes the answer).
    pub fn to_xml(&self) -> String {
        use super::sts::escape;
        format!(
            "<Credentials><AccessKeyId>{}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey>\
<SessionToken>{}</SessionToken><Expiration>{}</Expiration></Credentials>",
            self.access_key_id,
            escape(&self.secret_access_key),
            escape(&self.session_token),
            crate::kms::runtime::rfc3339(self.expires),
        )
    }
}

impl Sessions {
    fn locked(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // Every change is one insert or removal: a panic elsewhere leaves
        // the map whole.
        self.by_key.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// New credentials that sign as `principal`, with session `tags`, until `expires`.
    pub fn issue(&self, principal: &str, tags: Vec<(String, String)>, expires: i64, now: i64) -> Issued {
        let mut sessions = self.locked();
        sessions.retain(|_, s| s.expires > now);
        if sessions.len() >= MAX_SESSIONS {
            let first = sessions.iter().min_by_key(|(_, s)| s.expires).map(|(k, _)| k.clone());
            if let Some(first) = first {
                sessions.remove(&first);
            }
        }
        let access_key_id = access_key_id();
        let secret_access_key = random_text(30);
        let session_token = random_text(96);
        sessions.insert(
            access_key_id.clone(),
            Session {
                principal: principal.to_owned(),
                tags,
                secret: secret_access_key.clone(),
                token: session_token.clone(),
                expires,
            },
        );
        Issued {
            access_key_id,
            secret_access_key,
            session_token,
            expires,
        }
    }

    /// The session of `access_key`, checked against the request's token;
    /// `None` for a key no session has.
    pub fn find(&self, access_key: &str, token: Option<&[u8]>, now: i64) -> Option<Found> {
        let sessions = self.locked();
        let session = sessions.get(access_key)?;
        if session.expires <= now {
            return Some(Found::Expired);
        }
        let matches = token.is_some_and(|t| bool::from(t.ct_eq(session.token.as_bytes())));
        if !matches {
            return Some(Found::WrongToken);
        }
        Some(Found::Valid {
            principal: session.principal.clone(),
            tags: session.tags.clone(),
            secret: session.secret.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_credentials_sign_as_their_principal_with_their_token_until_they_expire() {
        let sessions = Sessions::default();
        let tags = vec![("team".to_owned(), "billing".to_owned())];
        let issued = sessions.issue("arn:aws:sts::111122223333:assumed-role/app/s", tags.clone(), 1_000, 0);
        assert!(issued.access_key_id.starts_with("ASIA") && issued.access_key_id.len() == 20);
        let token = issued.session_token.as_bytes();
        match sessions.find(&issued.access_key_id, Some(token), 999) {
            Some(Found::Valid {
                principal,
                tags: found,
                secret,
            }) => {
                assert_eq!(principal, "arn:aws:sts::111122223333:assumed-role/app/s");
                assert_eq!(found, tags);
                assert_eq!(secret.as_str(), issued.secret_access_key.as_str());
            }
            _ => panic!("a valid session was not found"),
        }
        assert!(matches!(
            sessions.find(&issued.access_key_id, Some(b"other"), 999),
            Some(Found::WrongToken)
        ));
        assert!(matches!(
            sessions.find(&issued.access_key_id, None, 999),
            Some(Found::WrongToken)
        ));
        assert!(matches!(
            sessions.find(&issued.access_key_id, Some(token), 1_000),
            Some(Found::Expired)
        ));
        assert!(sessions.find("ASIANOSUCHKEY0000000", Some(token), 0).is_none());
        assert!(!format!("{sessions:?}").contains(issued.secret_access_key.as_str()));
    }
}
