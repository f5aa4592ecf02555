//! `GetKeyLastUsage`: the last successful cryptographic operation of each
//! key, with the time, audit event id and request id of its record
//! (<https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html>).
//! Tracking starts when the runtime does (the process's start, or the
//! key's creation if later): it is kept in memory, not in the store, so a
//! restart starts it again, as AWS's `TrackingStartDate` allows.

use std::collections::HashMap;
use std::sync::Mutex;

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

/// The last use of each key, by key ARN.
#[derive(Debug, Default)]
pub struct Usage {
    /// When tracking started (seconds since the epoch).
    pub started: i64,
    last: Mutex<HashMap<String, LastUse>>,
}

impl Usage {
    pub fn new(started: i64) -> Usage {
        Usage {
            started,
            last: Mutex::new(HashMap::new()),
        }
    }

    /// Notes a successful call of `operation` on `key_arns` (ignored unless
    /// the operation is a tracked one).
    pub fn note(&self, operation: &str, key_arns: &[String], use_: &LastUse) {
        if !TRACKED.contains(&operation) {
            return;
        }
        let Ok(mut last) = self.last.lock() else { return };
        for arn in key_arns {
            last.insert(arn.clone(), use_.clone());
        }
    }

    pub fn last(&self, key_arn: &str) -> Option<LastUse> {
        self.last.lock().ok().and_then(|last| last.get(key_arn).cloned())
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
            rt.authorized(caller, "kms:GetKeyLastUsage", key_id)
                .map(|key| KeyLastUsage {
                    key_arn: key.arn.clone(),
                    key_created: key.created,
                    tracking_start: rt.usage.started.max(key.created),
                    last: rt.usage.last(&key.arn),
                })
        })
    }
}
