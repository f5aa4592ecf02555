//! A KMS request as the authorizer takes it, and the context keys AWS
//! derives from it (§7): who is calling, from which account, on which key,
//! with which encryption context, through which service, at what time.

use std::collections::BTreeMap;

use super::actions;
use crate::eval::{Caller, CallerKind, Context, ContextValue, Request};

/// One call to a KMS operation, from the authorizer's point of view.
#[derive(Clone, Debug, PartialEq)]
pub struct KmsRequest {
    pub caller: Caller,
    /// `kms:Decrypt`, … (`ReEncrypt` is asked as `kms:ReEncryptFrom` and `kms:ReEncryptTo`).
    pub action: String,
    /// The key ARN, or `*` for actions with no key resource.
    pub resource: String,
    pub encryption_context: BTreeMap<String, String>,
    pub grant_tokens: Vec<String>,
    /// The service calling on the caller's behalf (`s3.us-east-1.amazonaws.com`).
    pub via_service: Option<String>,
    /// The alias name used to name the key (`alias/app`), for `kms:RequestAlias`.
    pub alias: Option<String>,
    /// Request time, RFC 3339; fills `aws:CurrentTime` and `aws:EpochTime`.
    pub time: Option<String>,
    /// Explicit context entries; they override derived ones.
    pub context: Context,
}

impl KmsRequest {
    pub fn new(
        caller: Caller,
        action: impl Into<String>,
        resource: impl Into<String>,
    ) -> KmsRequest {
        KmsRequest {
            caller,
            action: action.into(),
            resource: resource.into(),
            encryption_context: BTreeMap::new(),
            grant_tokens: Vec::new(),
            via_service: None,
            alias: None,
            time: None,
            context: Context::new(),
        }
    }

    /// The account that owns the key, from its ARN.
    pub fn key_account(&self) -> Option<&str> {
        crate::eval::value::arn_account(&self.resource)
    }

    /// The evaluator's request: derived context keys, then explicit ones.
    pub fn to_eval_request(&self) -> Request {
        let mut context = Context::new();
        let caller = &self.caller;
        context.insert_one("aws:PrincipalArn", caller.principal_arn());
        context.insert_one("aws:PrincipalType", caller.principal_type());
        context.insert_one(
            "aws:PrincipalIsAWSService",
            if caller.kind == CallerKind::Service {
                "true"
            } else {
                "false"
            },
        );
        if caller.kind == CallerKind::Service {
            context.insert_one("aws:PrincipalServiceName", caller.arn.clone());
        }
        if let Some(account) = &caller.account {
            context.insert_one("aws:PrincipalAccount", account.clone());
            context.insert_one("kms:CallerAccount", account.clone());
        }
        if caller.kind == CallerKind::User {
            let name = caller.arn.rsplit('/').next().unwrap_or_default();
            context.insert_one("aws:username", name);
        }
        if let Some(account) = self.key_account() {
            context.insert_one("aws:ResourceAccount", account);
        }
        if let Some(region) = self.resource.split(':').nth(3).filter(|r| !r.is_empty()) {
            context.insert_one("aws:RequestedRegion", region);
        }
        if actions::has_encryption_context(&self.action) {
            for (key, value) in &self.encryption_context {
                context.insert_one(&format!("kms:EncryptionContext:{key}"), value.clone());
            }
            context.insert(
                "kms:EncryptionContextKeys",
                ContextValue::Many(self.encryption_context.keys().cloned().collect()),
            );
            context.insert_one("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        }
        // `aws:ViaAWSService` is always present (false for direct calls);
        // `kms:GrantIsForAWSResource` on the grant operations that define it.
        let via = if self.via_service.is_some() {
            "true"
        } else {
            "false"
        };
        context.insert_one("aws:ViaAWSService", via);
        if ["CreateGrant", "ListGrants", "RevokeGrant"]
            .iter()
            .any(|op| actions::operation(&self.action).is_some_and(|a| a.eq_ignore_ascii_case(op)))
        {
            context.insert_one("kms:GrantIsForAWSResource", via);
        }
        if let Some(service) = &self.via_service {
            context.insert_one("kms:ViaService", service.clone());
        }
        if let Some(alias) = &self.alias {
            context.insert_one("kms:RequestAlias", alias.clone());
        }
        if let Some(time) = &self.time {
            context.insert_one("aws:CurrentTime", time.clone());
            if let Some(nanos) = crate::eval::value::date(time) {
                context.insert_one(
                    "aws:EpochTime",
                    (nanos.div_euclid(1_000_000_000)).to_string(),
                );
            }
        }
        for (key, value) in self.context.iter() {
            context.insert(key, value.clone());
        }
        Request {
            caller: self.caller.clone(),
            action: self.action.clone(),
            resource: self.resource.clone(),
            context,
        }
    }
}
