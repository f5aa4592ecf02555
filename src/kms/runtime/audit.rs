//! The audit log: every call, allowed or refused, appends one record shaped
//! like a CloudTrail event (§10). Records name keys, principals, encryption
//! contexts and outcomes; they never hold plaintext, key material, data keys
//! or ciphertext.

use std::sync::Mutex;

use serde::Serialize;

use super::clock::rfc3339;
use crate::eval::{Caller, CallerKind};
use crate::kms::error::KmsError;

/// One audit record (a subset of CloudTrail's fields, same names).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    pub event_version: &'static str,
    pub event_time: String,
    pub event_source: &'static str,
    pub event_name: String,
    pub aws_region: String,
    pub user_identity: UserIdentity,
    /// The caller's address and client, when the call came over HTTP.
    #[serde(rename = "sourceIPAddress", skip_serializing_if = "Option::is_none")]
    pub source_ip_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    pub request_parameters: serde_json::Value,
    pub response_elements: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// A fresh UUID per API call; events KMS raises itself have none.
    #[serde(rename = "requestID", skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(rename = "eventID")]
    pub event_id: u64,
    pub read_only: bool,
    pub resources: Vec<Resource>,
    pub event_type: &'static str,
    pub recipient_account_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The caller's `aws:userid` ([`Caller::user_id`]): the account for the
    /// root user, `AIDA…` for a user, `AROA…:<session>` for a role session
    /// (CloudTrail User Guide, cloudtrail-event-reference-user-identity.html);
    /// none for an AWS service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    pub arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The service that made the call on the principal's behalf
    /// (`s3.amazonaws.com`), or `AWS Internal` for KMS's own events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Resource {
    #[serde(rename = "accountId")]
    pub account_id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(rename = "ARN")]
    pub arn: String,
}

/// Which records to list.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// A key ARN.
    pub key: Option<String>,
    pub principal: Option<String>,
    pub operation: Option<String>,
    /// `Some(true)` for allowed calls, `Some(false)` for refused ones.
    pub succeeded: Option<bool>,
}

/// The records, in order; appending needs only a shared reference.
#[derive(Debug, Default)]
pub struct AuditLog {
    records: Mutex<Vec<AuditRecord>>,
    /// The last event id handed out before the records in `records`.
    drained: std::sync::atomic::AtomicU64,
}

/// What one call was, for its record.
pub(super) struct Call<'a> {
    pub operation: &'a str,
    pub caller: &'a Caller,
    /// The keys the call named, as ARNs (ReEncrypt names two).
    pub key_arns: Vec<String>,
    pub parameters: serde_json::Value,
    pub response: serde_json::Value,
    pub read_only: bool,
}

fn identity(caller: &Caller) -> UserIdentity {
    let kind = match caller.kind {
        CallerKind::Root => "Root",
        CallerKind::User => "IAMUser",
        CallerKind::Role { .. } | CallerKind::AssumedRole { .. } => "AssumedRole",
        CallerKind::FederatedUser => "FederatedUser",
        CallerKind::Service => "AWSService",
        CallerKind::Anonymous => "Unknown",
    };
    UserIdentity {
        kind,
        principal_id: caller.user_id(),
        arn: caller.arn.clone(),
        account_id: caller.account.clone(),
        invoked_by: caller.via_service.as_deref().map(service_principal),
    }
}

/// The service principal of an endpoint: `s3.us-east-1.amazonaws.com` is
/// `s3.amazonaws.com`.
fn service_principal(endpoint: &str) -> String {
    let service = endpoint.split('.').next().unwrap_or(endpoint);
    format!("{service}.amazonaws.com")
}

impl AuditLog {
    /// Appends a call's record; returns its event id and request id.
    pub(super) fn append<T>(
        &self,
        region: &str,
        account: &str,
        now: i64,
        call: Call<'_>,
        result: &Result<T, KmsError>,
    ) -> Option<(u64, String)> {
        let Ok(mut records) = self.records.lock() else {
            return None;
        };
        let request_id = super::uuid();
        let event_id = self.drained.load(std::sync::atomic::Ordering::SeqCst) + records.len() as u64 + 1;
        let (error_code, error_message, response) = match result {
            Ok(_) => (None, None, call.response),
            Err(e) => (Some(e.name.as_str()), Some(e.message.clone()), serde_json::Value::Null),
        };
        records.push(AuditRecord {
            event_version: "1.08",
            event_time: rfc3339(now),
            event_source: "kms.amazonaws.com",
            event_name: call.operation.to_owned(),
            aws_region: region.to_owned(),
            user_identity: identity(call.caller),
            source_ip_address: call.caller.source_ip.clone(),
            user_agent: call.caller.user_agent.clone(),
            request_parameters: call.parameters,
            response_elements: response,
            error_code,
            error_message,
            request_id: Some(request_id.clone()),
            event_id,
            read_only: call.read_only,
            resources: call
                .key_arns
                .into_iter()
                .map(|arn| Resource {
                    account_id: account.to_owned(),
                    kind: "AWS::KMS::Key",
                    arn,
                })
                .collect(),
            event_type: "AwsApiCall",
            recipient_account_id: account.to_owned(),
        });
        Some((event_id, request_id))
    }

    /// A record of something KMS did itself (§10.1): `DeleteKey` at the end
    /// of a deletion window, `RotateKey` for an automatic rotation.
    pub(super) fn service_event(&self, region: &str, account: &str, now: i64, name: &str, key_arn: &str) {
        let Ok(mut records) = self.records.lock() else { return };
        let event_id = self.drained.load(std::sync::atomic::Ordering::SeqCst) + records.len() as u64 + 1;
        records.push(AuditRecord {
            event_version: "1.08",
            event_time: rfc3339(now),
            event_source: "kms.amazonaws.com",
            event_name: name.to_owned(),
            aws_region: region.to_owned(),
            user_identity: UserIdentity {
                kind: "AWSService",
                principal_id: None,
                arn: "AWS Internal".to_owned(),
                account_id: Some(account.to_owned()),
                invoked_by: Some("AWS Internal".to_owned()),
            },
            source_ip_address: Some("AWS Internal".to_owned()),
            user_agent: Some("AWS Internal".to_owned()),
            request_parameters: serde_json::Value::Null,
            response_elements: serde_json::Value::Null,
            error_code: None,
            error_message: None,
            request_id: None,
            event_id,
            read_only: false,
            resources: vec![Resource {
                account_id: account.to_owned(),
                kind: "AWS::KMS::Key",
                arn: key_arn.to_owned(),
            }],
            event_type: "AwsServiceEvent",
            recipient_account_id: account.to_owned(),
        });
    }

    /// Records the calls appended from `event_id` on as refused with
    /// `error` (a `DryRun` call that would have succeeded is recorded with
    /// `DryRunOperationException`, as CloudTrail records it).
    pub fn refuse_since(&self, event_id: u64, error: &KmsError) {
        let Ok(mut records) = self.records.lock() else { return };
        for record in records
            .iter_mut()
            .filter(|r| r.event_id >= event_id && r.event_type == "AwsApiCall")
        {
            record.error_code = Some(error.name.as_str());
            record.error_message = Some(error.message.clone());
            record.response_elements = serde_json::Value::Null;
        }
    }

    /// Takes the records appended so far (for a store to persist); event ids
    /// keep counting.
    pub fn drain(&self) -> Vec<AuditRecord> {
        let Ok(mut records) = self.records.lock() else {
            return Vec::new();
        };
        let taken: Vec<AuditRecord> = std::mem::take(&mut *records);
        if let Some(last) = taken.last() {
            self.drained.store(last.event_id, std::sync::atomic::Ordering::SeqCst);
        }
        taken
    }

    /// Drops the records appended since the last [`drain`](Self::drain),
    /// of a call that was undone: their ids are handed out again, so the
    /// records of the call that follows go on from the last one kept.
    pub fn discard(&self) {
        if let Ok(mut records) = self.records.lock() {
            records.clear();
        }
    }

    /// Continues event ids after those a store already holds.
    pub fn resume_after(&self, event_id: u64) {
        self.drained.store(event_id, std::sync::atomic::Ordering::SeqCst);
    }

    /// The id the next record will get: unchanged across a call that
    /// recorded nothing.
    pub fn next_event_id(&self) -> u64 {
        let held = self.records.lock().map_or(0, |r| r.len() as u64);
        self.drained.load(std::sync::atomic::Ordering::SeqCst) + held + 1
    }

    /// The records that match the filter, oldest first.
    pub fn list(&self, filter: &AuditFilter) -> Vec<AuditRecord> {
        let Ok(records) = self.records.lock() else {
            return Vec::new();
        };
        records
            .iter()
            .filter(|r| {
                filter
                    .key
                    .as_ref()
                    .is_none_or(|k| r.resources.iter().any(|res| res.arn == *k))
            })
            .filter(|r| filter.principal.as_ref().is_none_or(|p| r.user_identity.arn == *p))
            .filter(|r| {
                filter
                    .operation
                    .as_ref()
                    .is_none_or(|o| r.event_name.eq_ignore_ascii_case(o))
            })
            .filter(|r| filter.succeeded.is_none_or(|ok| r.error_code.is_none() == ok))
            .cloned()
            .collect()
    }
}
