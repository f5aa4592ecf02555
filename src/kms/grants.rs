//! Whether a grant authorizes a request (§6): its grantee is the caller (a
//! role grantee covers the role's sessions), it lists the operation, and
//! its constraints hold for the request's encryption context and source.
//! Keys of constraint pairs compare case-insensitively, values exactly (§6.4).

use super::actions;
use super::request::KmsRequest;
use crate::eval::{ContextValue, PrincipalMatch, PrincipalMatcher};
use crate::policy::{
    ContextPair, Grant, GrantConstraints, Grantee, Principal, PrincipalEntry, PrincipalKind, Values,
};
use crate::source::{Span, Spanned};

/// How a principal named in a grant matches the caller.
fn principal_matches(
    kind: PrincipalKind,
    id: &str,
    request: &KmsRequest,
) -> Option<PrincipalMatch> {
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
        key == request.resource
            || request
                .resource
                .rsplit_once(":key/")
                .is_some_and(|(_, id)| id == key)
    })
}

/// May the caller retire this grant (§6.6)? Its retiring principal may; so
/// may the issuing account's root, and principals of that account whose
/// identity policies allow `kms:RetireGrant` (`identity_allows`).
pub fn may_retire(grant: &Grant, request: &KmsRequest, identity_allows: bool) -> bool {
    if !on_key(grant, request) {
        return false;
    }
    let retiring = [
        grant
            .retiring_principal
            .as_ref()
            .map(|p| (PrincipalKind::Aws, p)),
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
    let operation = actions::grant_operation(&request.action)?;
    if !on_key(grant, request) || !grant.operations.iter().any(|op| op.node == operation) {
        return None;
    }
    let matched = match &grant.grantee.node {
        Grantee::Principal(p) => principal_matches(PrincipalKind::Aws, p, request),
        Grantee::ServicePrincipal(s) => principal_matches(PrincipalKind::Service, s, request),
    }?;
    let constraints_hold = grant
        .constraints
        .as_ref()
        .is_none_or(|c| constraints_hold(c, request));
    constraints_hold.then_some(matched)
}

fn constraints_hold(constraints: &GrantConstraints, request: &KmsRequest) -> bool {
    if actions::has_encryption_context(&request.action) {
        let context = &request.encryption_context;
        let present = |pair: &ContextPair| {
            context
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case(&pair.key) && *v == pair.value.node)
        };
        if let Some(equals) = &constraints.encryption_context_equals {
            if equals.len() != context.len() || !equals.iter().all(present) {
                return false;
            }
        }
        if let Some(subset) = &constraints.encryption_context_subset {
            if !subset.iter().all(present) {
                return false;
            }
        }
    }
    match &constraints.source_arn {
        Some(arn) if !request.action.eq_ignore_ascii_case("kms:RetireGrant") => {
            matches!(request.context.get("aws:SourceArn"), Some(ContextValue::One(v)) if *v == arn.node)
        }
        _ => true,
    }
}
