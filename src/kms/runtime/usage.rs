//! `GetKeyLastUsage`: the last successful cryptographic operation of each
//! key, with the time, audit event id and request id of its record
//! (<https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html>).
//!
//! Under a service the answer is read from the saved audit log
//! ([`History`]): the newest committed record of a tracked call on the key
//! in its own partition, so it holds across processes and restarts, and
//! its event id is the saved record's; tracking starts at the key's
//! creation. A runtime without a store notes the uses it makes in memory,
//! and tracking starts when the runtime does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The operations whose success counts as a use
/// (`KeyLastUsageTrackingOperation`).
pub const TRACKED: &[&str] = &[
    "Decrypt",
    "DeriveSharedSecret",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateMac",
    "ReEncrypt",
    "Sign",
    "Verify",
    "VerifyMac",
    "Encapsulate",
    "Decapsulate",
];

/// One key's last use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastUse {
    pub operation: String,
    pub timestamp: i64,
    pub event_id: String,
    pub request_id: String,
}

impl LastUse {
    /// The use a saved audit record shows: its `eventName`, `eventTime`,
    /// `eventID` and `requestID`.
    pub fn from_record(record: &serde_json::Value) -> Option<LastUse> {
        let time = crate::eval::value::date(record["eventTime"].as_str()?)?;
        let event_id = match &record["eventID"] {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s.clone(),
            _ => return None,
        };
        Some(LastUse {
            operation: record["eventName"].as_str()?.to_owned(),
            timestamp: i64::try_from(time.div_euclid(1_000_000_000)).ok()?,
            event_id,
            request_id: record["requestID"].as_str()?.to_owned(),
        })
    }
}

/// Reads a key's last use from the saved audit log, by key ARN; an error
/// says why the log could not be read.
pub type History = Arc<dyn Fn(&str) -> Result<Option<LastUse>, String> + Send + Sync>;

/// The last use of each key, by key ARN.
#[derive(Default)]
pub struct Usage {
    /// When tracking started (seconds since the epoch) for a runtime
    /// without a [`History`].
    pub started: i64,
    last: Mutex<HashMap<String, LastUse>>,
    /// Set by a service: the saved log answers instead of `last`.
    pub history: Option<History>,
}

impl std::fmt::Debug for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Usage")
            .field("started", &self.started)
            .field("history", &self.history.is_some())
            .finish_non_exhaustive()
    }
}

impl Usage {
    pub fn new(started: i64) -> Usage {
        Usage {
            started,
            last: Mutex::new(HashMap::new()),
            history: None,
        }
    }

    /// Notes a successful call of `operation` on `key_arns` (ignored unless
    /// the operation is a tracked one, or the saved log answers).
    pub fn note(&self, operation: &str, key_arns: &[String], use_: &LastUse) {
        if !TRACKED.contains(&operation) || self.history.is_some() {
            return;
        }
        let Ok(mut last) = self.last.lock() else { return };
        for arn in key_arns {
            last.insert(arn.clone(), use_.clone());
        }
    }

    /// The key's last use, from the saved log when there is one.
    pub fn last(&self, key_arn: &str) -> Result<Option<LastUse>, String> {
        match &self.history {
            Some(history) => history(key_arn),
            None => Ok(self.last.lock().ok().and_then(|last| last.get(key_arn).cloned())),
        }
    }

    /// When tracking started for a key created at `created`.
    pub fn tracking_start(&self, created: i64) -> i64 {
        if self.history.is_some() {
            created
        } else {
            self.started.max(created)
        }
    }
}

/// `GetKeyLastUsage`'s answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyLastUsage {
    pub key_arn: String,
    pub key_created: i64,
    pub tracking_start: i64,
    pub last: Option<LastUse>,
}

impl<C: super::Clock> super::Runtime<C> {
    /// `GetKeyLastUsage`, authorized on the key and audited.
    pub fn get_key_last_usage(
        &self,
        caller: &crate::eval::Caller,
        key_id: &str,
    ) -> Result<KeyLastUsage, crate::kms::KmsError> {
        let parameters = serde_json::json!({"keyId": key_id});
        self.audited("GetKeyLastUsage", caller, Some(key_id), parameters, true, |rt| {
            let key = rt.authorized(caller, "kms:GetKeyLastUsage", key_id)?;
            let last = rt.usage.last(&key.arn).map_err(|why| {
                crate::kms::KmsError::new(
                    crate::kms::ErrorName::KMSInternalException,
                    format!("The key's last use could not be read: {why}"),
                )
            })?;
            Ok(KeyLastUsage {
                key_arn: key.arn.clone(),
                key_created: key.created,
                tracking_start: rt.usage.tracking_start(key.created),
                last,
            })
        })
    }
}
