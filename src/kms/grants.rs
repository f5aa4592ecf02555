//! Whether a grant authorizes a request (§6): it is on the request's key,
//! its grantee is the caller (a role grantee covers the role's sessions), it
//! lists the operation, and its constraints hold — for the request's
//! encryption context (keys case-insensitive, values exact: §6.4) and source,
//! or, for `CreateGrant`, for the grant being created (§6.5).

use std::collections::BTreeMap;

use super::actions;
use super::create_grant;
use super::request::KmsRequest;
use crate::eval::{ContextValue, PrincipalMatch, PrincipalMatcher};
use crate::policy::{
    ContextPair, Grant, GrantConstraints, GrantOperation, Grantee, Principal, PrincipalEntry, PrincipalKind, Values,
};
use crate::source::{Span, Spanned};

/// Why a grant did not apply to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotApplied {
    OtherKey,
    NotAGrantOperation,
    OperationNotListed,
    NotTheGrantee,
    ContextNotEqual,
    ContextNotSuperset,
    SourceArnDiffers,
    /// `CreateGrant` through a grant needs the grant being created.
    NoGrantToCreate,
    /// The grant being created is not within this one.
    ChildNotWithin(String),
    /// An account grantee: the caller's identity policies must allow too.
    AccountNeedsIdentityPolicy,
    /// `RetireGrant` of another grant.
    NotTheRetiredGrant,
}

impl NotApplied {
    pub fn describe(&self) -> String {
        match self {
            NotApplied::OtherKey => "it is on another key".into(),
            NotApplied::NotAGrantOperation => "grants cannot allow this action".into(),
            NotApplied::OperationNotListed => "it does not list this operation".into(),
            NotApplied::NotTheGrantee => "the caller is not its grantee".into(),
            NotApplied::ContextNotEqual => "the encryption context is not exactly its `EncryptionContextEquals`".into(),
            NotApplied::ContextNotSuperset => {
                "the encryption context lacks a pair of its `EncryptionContextSubset`".into()
            }
            NotApplied::SourceArnDiffers => "the request's `aws:SourceArn` is not its `SourceArn`".into(),
            NotApplied::NoGrantToCreate => "the request does not say which grant it creates".into(),
            NotApplied::ChildNotWithin(why) => format!("the new grant is not within it: {why}"),
            NotApplied::NotTheRetiredGrant => "the request retires another grant".into(),
            NotApplied::AccountNeedsIdentityPolicy => {
                "its grantee is the caller's account, and no identity policy of the caller allows the action".into()
            }
        }
    }
}

/// How a principal named in a grant matches the caller. `ListGrants` shows
/// a service-created grant's service as its `GranteePrincipal`, so a
/// service name there is taken as a service principal.
fn principal_matches(kind: PrincipalKind, id: &str, request: &KmsRequest) -> Option<PrincipalMatch> {
    let is_service = crate::eval::Caller::parse(id).is_ok_and(|c| c.kind == crate::eval::CallerKind::Service);
    let kind = if is_service { PrincipalKind::Service } else { kind };
    let principal = Principal::Map(vec![PrincipalEntry {
        kind: Spanned::new(kind, Span::default()),
        ids: Values::One(Spanned::new(id.to_owned(), Span::default())),
    }]);
    PrincipalMatcher::compile(&principal).matches(&request.caller)
}

/// Is the grant on the key the request targets? A grant without `KeyId`
/// (a bare `CreateGrant` request) is taken to be on it.
fn on_key(grant: &Grant, request: &KmsRequest) -> bool {
    grant.key_id.as_ref().is_none_or(|key| {
        let key = key.node.as_str();
        key == request.resource || request.resource.rsplit_once(":key/").is_some_and(|(_, id)| id == key)
    })
}

/// May the caller retire this grant (§6.6)? Its retiring principal may; so
/// may the issuing account's root, and principals of that account whose
/// identity policies allow `kms:RetireGrant` (`identity_allows`).
pub fn may_retire(grant: &Grant, request: &KmsRequest, identity_allows: bool) -> bool {
    let named = request
        .grant_id
        .as_deref()
        .is_none_or(|id| grant.grant_id.as_ref().is_some_and(|g| g.node == id));
    if !on_key(grant, request) || !named {
        return false;
    }
    let retiring = [
        grant.retiring_principal.as_ref().map(|p| (PrincipalKind::Aws, p)),
        grant
            .retiring_service_principal
            .as_ref()
            .map(|p| (PrincipalKind::Service, p)),
    ];
    let named = retiring
        .into_iter()
        .flatten()
        .filter_map(|(kind, p)| principal_matches(kind, p, request))
        .max();
    let issuer = grant
        .issuing_account
        .as_ref()
        .and_then(|a| principal_matches(PrincipalKind::Aws, a, request));
    match (named, issuer) {
        (Some(m), _) if m != PrincipalMatch::Account => true,
        (Some(_), _) | (_, Some(PrincipalMatch::Account)) => identity_allows,
        (_, Some(_)) => true,
        (None, None) => false,
    }
}

/// How the grant's grantee matched the caller, if the grant applies.
pub fn authorizes(grant: &Grant, request: &KmsRequest) -> Option<PrincipalMatch> {
    check(grant, request).ok()
}

/// Whether the grant applies, and if not, why.
pub fn check(grant: &Grant, request: &KmsRequest) -> Result<PrincipalMatch, NotApplied> {
    let operation = actions::grant_operation(&request.action).ok_or(NotApplied::NotAGrantOperation)?;
    if !on_key(grant, request) {
        return Err(NotApplied::OtherKey);
    }
    // RetireGrant names its grant: only that grant can allow retiring it (§6.6).
    let target = request
        .grant_id
        .as_deref()
        .filter(|_| operation == GrantOperation::RetireGrant);
    if target.is_some_and(|id| grant.grant_id.as_ref().is_none_or(|g| g.node != id)) {
        return Err(NotApplied::NotTheRetiredGrant);
    }
    if !grant.operations.iter().any(|op| op.node == operation) {
        return Err(NotApplied::OperationNotListed);
    }
    let matched = match &grant.grantee.node {
        Grantee::Principal(p) => principal_matches(PrincipalKind::Aws, p, request),
        Grantee::ServicePrincipal(s) => principal_matches(PrincipalKind::Service, s, request),
    }
    .ok_or(NotApplied::NotTheGrantee)?;
    if operation == GrantOperation::CreateGrant {
        // The parent's limits apply to the grant being created (§6.5).
        let child = request.create_grant.as_ref().ok_or(NotApplied::NoGrantToCreate)?;
        create_grant::within(grant, child).map_err(NotApplied::ChildNotWithin)?;
        // A `SourceArn` binds every operation but RetireGrant (§6.4).
        if let Some(arn) = grant.constraints.as_ref().and_then(|c| c.source_arn.as_ref()) {
            source_arn_matches(&arn.node, request)?;
        }
        return Ok(matched);
    }
    if let Some(constraints) = &grant.constraints {
        constraints_hold(constraints, request)?;
    }
    Ok(matched)
}

fn constraints_hold(constraints: &GrantConstraints, request: &KmsRequest) -> Result<(), NotApplied> {
    // Context constraints bind only operations that have a context (§6.4).
    if actions::has_encryption_context(&request.action) && request.key.has_encryption_context() {
        let context = request.context_for_action();
        if let Some(equals) = &constraints.encryption_context_equals {
            if equals.len() != context.len() || !equals.iter().all(|pair| present(context, pair)) {
                return Err(NotApplied::ContextNotEqual);
            }
        }
        if let Some(subset) = &constraints.encryption_context_subset {
            if !subset.iter().all(|pair| present(context, pair)) {
                return Err(NotApplied::ContextNotSuperset);
            }
        }
    }
    match &constraints.source_arn {
        Some(arn) if !request.action.eq_ignore_ascii_case("kms:RetireGrant") => source_arn_matches(&arn.node, request),
        _ => Ok(()),
    }
}

fn source_arn_matches(arn: &str, request: &KmsRequest) -> Result<(), NotApplied> {
    match request.context.get("aws:SourceArn") {
        Some(ContextValue::One(v)) if v == arn => Ok(()),
        _ => Err(NotApplied::SourceArnDiffers),
    }
}

fn present(context: &BTreeMap<String, String>, pair: &ContextPair) -> bool {
    context
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case(&pair.key) && *v == pair.value.node)
}
