//! The rules of `CreateGrant` (§6.3–§6.5): what a grant may contain on a
//! given key, with AWS's error names, and when a child grant created through
//! a parent grant is at least as strict as its parent.

use super::error::{ErrorName, KmsError};
use super::key_spec::KeyInfo;
use crate::eval::{Caller, CallerKind};
use crate::policy::{ContextPair, Grant, GrantConstraints, Grantee, MAX_CONSTRAINT_PAIRS, MAX_CONSTRAINT_VALUE_CHARS};

/// At most this many grant tokens in one request (§2.1).
pub const MAX_GRANT_TOKENS: usize = 10;

/// Checks a grant (a `CreateGrant` request, or a grant read from a file)
/// against the key it is for. The first problem is returned, as AWS does.
pub fn validate(grant: &Grant, key: KeyInfo) -> Result<(), KmsError> {
    let invalid = |message: String| KmsError::new(ErrorName::ValidationException, message);
    match &grant.grantee.node {
        Grantee::Principal(p) => check_principal(p, "granteePrincipal")?,
        Grantee::ServicePrincipal(s) => {
            check_service_principal(s, "granteeServicePrincipal")?;
            if grant.constraints.as_ref().is_none_or(|c| c.source_arn.is_none()) {
                return Err(invalid(
                    "A grant for a service principal (GranteeServicePrincipal) requires a SourceArn constraint.".into(),
                ));
            }
            if grant.retiring_principal.is_none() && grant.retiring_service_principal.is_none() {
                return Err(invalid(
                    "A grant for a service principal (GranteeServicePrincipal) requires a retiring principal.".into(),
                ));
            }
        }
    }
    match (&grant.retiring_principal, &grant.retiring_service_principal) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "Specify at most one of RetiringPrincipal and RetiringServicePrincipal.".into(),
            ));
        }
        (Some(p), None) => check_principal(p, "retiringPrincipal")?,
        (None, Some(s)) => check_service_principal(s, "retiringServicePrincipal")?,
        (None, None) => {}
    }
    if grant.operations.is_empty() {
        return Err(KmsError::constraint(
            None,
            "operations",
            "have length greater than or equal to 1",
        ));
    }
    if let Some(op) = grant.operations.iter().find(|op| !key.supports(op.node)) {
        return Err(invalid(format!(
            "Grant operation {} is not supported by this key's spec and usage.",
            op.node
        )));
    }
    if let Some(constraints) = &grant.constraints {
        check_constraints(constraints, key)?;
    }
    if let Some(name) = &grant.name {
        let valid = (1..=256).contains(&name.chars().count()) && name.chars().all(is_name_char);
        if !valid {
            return Err(KmsError::constraint(
                Some(name),
                "name",
                "satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
            ));
        }
    }
    if let Some(tokens) = &grant.grant_tokens {
        if tokens.len() > MAX_GRANT_TOKENS {
            return Err(KmsError::constraint(
                None,
                "grantTokens",
                "have length less than or equal to 10",
            ));
        }
        if tokens.iter().any(|t| t.is_empty() || t.len() > 8192) {
            return Err(KmsError::new(
                ErrorName::InvalidGrantTokenException,
                "The grant token is not valid.",
            ));
        }
    }
    Ok(())
}

/// Principal forms a grant accepts: accounts, users, roles, role sessions,
/// federated users (and, as `ListGrants` shows them, service principals).
/// IAM groups, organizations and wildcards are refused.
fn check_principal(principal: &str, member: &str) -> Result<(), KmsError> {
    let pattern_ok = (1..=256).contains(&principal.len())
        && principal
            .chars()
            .all(|c| c.is_alphanumeric() || "_+=,.@:/-".contains(c));
    if !pattern_ok {
        return Err(KmsError::constraint(
            Some(principal),
            member,
            r"satisfy regular expression pattern: ^[\w+=,.@:/-]+$",
        ));
    }
    match Caller::parse(principal) {
        Ok(_) => Ok(()),
        Err(_) => Err(KmsError::new(
            ErrorName::ValidationException,
            format!("Invalid principal `{principal}`: a grant names an account, IAM user, IAM role, role session or federated user (not a group, an organization or a wildcard)."),
        )),
    }
}

fn check_service_principal(principal: &str, member: &str) -> Result<(), KmsError> {
    let labels: Vec<&str> = principal.split('.').collect();
    let valid = (1..=128).contains(&principal.len())
        && labels.len() >= 3
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    let is_service = Caller::parse(principal).is_ok_and(|c| c.kind == CallerKind::Service);
    if valid && is_service {
        Ok(())
    } else {
        Err(KmsError::constraint(
            Some(principal),
            member,
            r"satisfy regular expression pattern: ^([A-Za-z0-9\-]+)\.([A-Za-z0-9\-]+)(\.[A-Za-z0-9\-]+)+$",
        ))
    }
}

fn check_constraints(constraints: &GrantConstraints, key: KeyInfo) -> Result<(), KmsError> {
    let contexts = [
        (
            "constraints.encryptionContextEquals",
            &constraints.encryption_context_equals,
        ),
        (
            "constraints.encryptionContextSubset",
            &constraints.encryption_context_subset,
        ),
    ];
    for (member, pairs) in contexts {
        let Some(pairs) = pairs else { continue };
        if !key.has_encryption_context() {
            return Err(KmsError::new(
                ErrorName::ValidationException,
                "Encryption context constraints are valid only in a grant for a symmetric encryption KMS key.",
            ));
        }
        if pairs.len() > MAX_CONSTRAINT_PAIRS {
            return Err(KmsError::constraint(
                None,
                member,
                "have length less than or equal to 8",
            ));
        }
        if pairs
            .iter()
            .any(|p| p.value.chars().count() > MAX_CONSTRAINT_VALUE_CHARS)
        {
            return Err(KmsError::constraint(
                None,
                member,
                "have value length less than or equal to 384",
            ));
        }
    }
    if let Some(arn) = &constraints.source_arn {
        if !source_arn_valid(arn) {
            return Err(KmsError::constraint(
                Some(arn),
                "constraints.sourceArn",
                "satisfy regular expression pattern: ^arn:aws[a-z0-9-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{12}:.+$",
            ));
        }
    }
    Ok(())
}

/// `^arn:aws[a-z0-9-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{12}:.+$`, 20–512 characters.
fn source_arn_valid(arn: &str) -> bool {
    let lower = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    (20..=512).contains(&arn.len())
        && crate::arn::Arn::parse(arn).is_some_and(|a| {
            a.partition.starts_with("aws")
                && lower(a.partition)
                && !a.service.is_empty()
                && lower(a.service)
                && lower(a.region)
                && crate::arn::is_account_id(a.account)
                && !a.resource.is_empty()
        })
}

/// Why a child grant is not within its parent (§6.5), or `Ok`.
pub fn within(parent: &Grant, child: &Grant) -> Result<(), String> {
    if let Some(op) = child
        .operations
        .iter()
        .find(|op| !parent.operations.iter().any(|p| p.node == op.node))
    {
        return Err(format!("the parent grant does not allow `{}`", op.node));
    }
    let none = GrantConstraints::default();
    let parent_c = parent.constraints.as_ref().map_or(&none, |c| &c.node);
    let child_c = child.constraints.as_ref().map_or(&none, |c| &c.node);
    if let Some(equals) = &parent_c.encryption_context_equals {
        match &child_c.encryption_context_equals {
            Some(child_equals) if same_pairs(equals, child_equals) => {}
            _ => return Err("the parent's `EncryptionContextEquals` must be kept exactly".into()),
        }
    }
    if let Some(subset) = &parent_c.encryption_context_subset {
        let covered = |pairs: &Option<Vec<ContextPair>>| pairs.as_ref().is_some_and(|c| contains_all(c, subset));
        if !covered(&child_c.encryption_context_subset) && !covered(&child_c.encryption_context_equals) {
            return Err("the child must keep every pair of the parent's `EncryptionContextSubset`".into());
        }
    }
    if let Some(arn) = &parent_c.source_arn {
        if child_c.source_arn.as_ref().map(|a| &a.node) != Some(&arn.node) {
            return Err("the child must keep the parent's `SourceArn`".into());
        }
    }
    Ok(())
}

/// Every pair of `needed` is in `pairs` (keys case-insensitive, values exact: §6.4).
fn contains_all(pairs: &[ContextPair], needed: &[ContextPair]) -> bool {
    needed.iter().all(|n| {
        pairs
            .iter()
            .any(|p| p.key.eq_ignore_ascii_case(&n.key) && p.value.node == n.value.node)
    })
}

fn same_pairs(a: &[ContextPair], b: &[ContextPair]) -> bool {
    a.len() == b.len() && contains_all(a, b) && contains_all(b, a)
}

/// A character of a grant or alias name: `[a-zA-Z0-9:/_-]`.
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '_' | '-')
}
