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

/// How the grant's grantee matched the caller, if the grant applies.
pub fn authorizes(grant: &Grant, request: &KmsRequest) -> Option<PrincipalMatch> {
    let operation = actions::grant_operation(&request.action)?;
    if !grant.operations.iter().any(|op| op.node == operation) {
        return None;
    }
    let (kind, id) = match &grant.grantee.node {
        Grantee::Principal(p) => (PrincipalKind::Aws, p),
        Grantee::ServicePrincipal(s) => (PrincipalKind::Service, s),
    };
    let principal = Principal::Map(vec![PrincipalEntry {
        kind: Spanned::new(kind, Span::default()),
        ids: Values::One(Spanned::new(id.clone(), Span::default())),
    }]);
    let matched = PrincipalMatcher::compile(&principal).matches(&request.caller)?;
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
