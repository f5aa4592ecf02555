//! A KMS request as the authorizer takes it, and the context keys AWS
//! derives from it (§7): who is calling, from which account, on which key,
//! with which encryption context, through which service, at what time.

use std::collections::BTreeMap;

use super::actions;
use super::key_spec::KeyInfo;
use crate::eval::{Caller, CallerKind, Context, ContextValue, Request};
use crate::policy::{Grant, Grantee};

/// The KMS condition keys every call's request context carries (besides the
/// global `aws:` keys), whatever the operation.
pub const EVERY_CALL_KEYS: &[&str] = &["kms:CallerAccount", "kms:ViaService"];

/// The condition keys every call on a key carries: the key's own facts.
pub const KEY_RESOURCE_KEYS: &[&str] = &[
    "kms:KeySpec",
    "kms:KeyUsage",
    "kms:CustomerMasterKeySpec",
    "kms:CustomerMasterKeyUsage",
    "kms:MultiRegion",
    "kms:MultiRegionKeyType",
    "aws:ResourceTag/${TagKey}",
];

/// One call to a KMS operation, from the authorizer's point of view.
#[derive(Clone, Debug, PartialEq)]
pub struct KmsRequest {
    pub caller: Caller,
    /// `kms:Decrypt`, … (`ReEncrypt` is asked as `kms:ReEncryptFrom` and `kms:ReEncryptTo`).
    pub action: String,
    /// The key ARN, or `*` for actions with no key resource.
    pub resource: String,
    /// The encryption context; for `kms:ReEncryptFrom`, the source context.
    pub encryption_context: BTreeMap<String, String>,
    /// For `kms:ReEncryptTo`: the destination context (default: the same).
    pub destination_encryption_context: Option<BTreeMap<String, String>>,
    /// For `kms:CreateGrant`: the grant being created.
    pub create_grant: Option<Grant>,
    /// For `kms:RetireGrant`: the id of the grant being retired.
    pub grant_id: Option<String>,
    /// The kind of key, which decides whether it has encryption contexts.
    pub key: KeyInfo,
    /// The key is an AWS managed key (`KeyManager` `AWS`): RCPs do not apply
    /// to it (\[KMS\] resource-control-policies.html).
    pub aws_managed_key: bool,
    /// The key's tags, for `aws:ResourceTag/<tag key>` (ABAC).
    pub resource_tags: BTreeMap<String, String>,
    pub grant_tokens: Vec<String>,
    /// The service calling on the caller's behalf (`s3.us-east-1.amazonaws.com`);
    /// the caller's own by default.
    pub via_service: Option<String>,
    /// The alias name used to name the key (`alias/app`), for `kms:RequestAlias`.
    pub alias: Option<String>,
    /// Request time, RFC 3339; fills `aws:CurrentTime` and `aws:EpochTime`.
    pub time: Option<String>,
    /// Explicit context entries; they override derived ones.
    pub context: Context,
}

impl KmsRequest {
    pub fn new(caller: Caller, action: impl Into<String>, resource: impl Into<String>) -> KmsRequest {
        KmsRequest {
            via_service: caller.via_service.clone(),
            caller,
            action: action.into(),
            resource: resource.into(),
            encryption_context: BTreeMap::new(),
            destination_encryption_context: None,
            create_grant: None,
            grant_id: None,
            key: KeyInfo::SYMMETRIC,
            aws_managed_key: false,
            resource_tags: BTreeMap::new(),
            grant_tokens: Vec::new(),
            alias: None,
            time: None,
            context: Context::new(),
        }
    }

    /// The encryption context this action sees: the destination context for
    /// `kms:ReEncryptTo`, the (source) context otherwise.
    pub fn context_for_action(&self) -> &BTreeMap<String, String> {
        match &self.destination_encryption_context {
            Some(destination) if self.action.eq_ignore_ascii_case("kms:ReEncryptTo") => destination,
            _ => &self.encryption_context,
        }
    }

    /// The account that owns the key, from its ARN.
    pub fn key_account(&self) -> Option<&str> {
        crate::arn::Arn::parse(&self.resource).and_then(|a| a.account_id())
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
        if let Some(user_id) = caller.user_id() {
            context.insert_one("aws:userid", user_id);
        }
        if let Some(account) = self.key_account() {
            context.insert_one("aws:ResourceAccount", account);
            // Resource keys of a key-resource action (§7.1, §7.2).
            for (key, value) in [
                ("kms:KeySpec", self.key.spec),
                ("kms:CustomerMasterKeySpec", self.key.spec),
                ("kms:KeyUsage", self.key.usage.as_str()),
                ("kms:CustomerMasterKeyUsage", self.key.usage.as_str()),
            ] {
                context.insert_one(key, value);
            }
            for (tag, value) in &self.resource_tags {
                context.insert_one(&format!("aws:ResourceTag/{tag}"), value.clone());
            }
        }
        if let Some(region) = crate::arn::Arn::parse(&self.resource)
            .map(|a| a.region)
            .filter(|r| !r.is_empty())
        {
            context.insert_one("aws:RequestedRegion", region);
        }
        if actions::has_encryption_context(&self.action) && self.key.has_encryption_context() {
            insert_encryption_context(
                &mut context,
                self.context_for_action().iter().map(|(k, v)| (k.as_str(), v.as_str())),
            );
            context.insert_one("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        }
        if let Some(grant) = self
            .create_grant
            .as_ref()
            .filter(|_| actions::operation(&self.action).is_some_and(|op| op.eq_ignore_ascii_case("CreateGrant")))
        {
            insert_create_grant(&mut context, grant);
        }
        // `aws:ViaAWSService` is always present (false for direct calls);
        // `kms:GrantIsForAWSResource` on the grant operations that define it.
        let via = if self.via_service.is_some() { "true" } else { "false" };
        context.insert_one("aws:ViaAWSService", via);
        // Always present; KMS endpoints take TLS only (KMS Developer Guide,
        // infrastructure-security.html), so a KMS request is always secure.
        context.insert_one("aws:SecureTransport", "true");
        if ["CreateGrant", "ListGrants", "RevokeGrant"]
            .iter()
            .any(|op| actions::operation(&self.action).is_some_and(|a| a.eq_ignore_ascii_case(op)))
        {
            context.insert_one("kms:GrantIsForAWSResource", via);
        }
        if let Some(service) = &self.via_service {
            context.insert_one("kms:ViaService", service.clone());
        }
        // A service calling on the caller's behalf hides the caller's address.
        if let Some(ip) = self.caller.source_ip.as_ref().filter(|_| self.via_service.is_none()) {
            context.insert_one("aws:SourceIp", ip.clone());
        }
        if let Some(agent) = &self.caller.user_agent {
            context.insert_one("aws:UserAgent", agent.clone());
        }
        if let Some(alias) = self.alias.as_ref().filter(|_| actions::has_request_alias(&self.action)) {
            context.insert_one("kms:RequestAlias", alias.clone());
        }
        if let Some(time) = &self.time {
            context.insert_one("aws:CurrentTime", time.clone());
            if let Some(nanos) = crate::eval::value::date(time) {
                context.insert_one("aws:EpochTime", (nanos.div_euclid(1_000_000_000)).to_string());
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

fn insert_encryption_context<'a>(context: &mut Context, pairs: impl Iterator<Item = (&'a str, &'a str)> + Clone) {
    for (key, value) in pairs.clone() {
        context.insert_one(&format!("kms:EncryptionContext:{key}"), value);
    }
    context.insert(
        "kms:EncryptionContextKeys",
        ContextValue::Many(pairs.map(|(k, _)| k.to_owned()).collect()),
    );
}

/// The `kms:Grant*` keys of a `CreateGrant` request (§7.2), and the
/// constraint's context as `kms:EncryptionContext*` (§6.5, inference).
fn insert_create_grant(context: &mut Context, grant: &Grant) {
    let operations = grant.operations.iter().map(|op| op.as_str().to_owned()).collect();
    context.insert("kms:GrantOperations", ContextValue::Many(operations));
    match &grant.grantee.node {
        Grantee::Principal(p) | Grantee::ServicePrincipal(p) => context.insert_one("kms:GranteePrincipal", p.clone()),
    }
    if let Some(retiring) = grant
        .retiring_principal
        .as_ref()
        .or(grant.retiring_service_principal.as_ref())
    {
        context.insert_one("kms:RetiringPrincipal", retiring.node.clone());
    }
    let Some(constraints) = &grant.constraints else { return };
    let (kind, pairs) = match (
        &constraints.encryption_context_equals,
        &constraints.encryption_context_subset,
    ) {
        (Some(pairs), _) => ("EncryptionContextEquals", pairs),
        (None, Some(pairs)) => ("EncryptionContextSubset", pairs),
        (None, None) => return,
    };
    context.insert_one("kms:GrantConstraintType", kind);
    insert_encryption_context(context, pairs.iter().map(|p| (p.key.as_str(), p.value.as_str())));
}
