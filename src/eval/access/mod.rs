//! AWS's general policy evaluation for a request on any service
//! (IAM User Guide, reference_policies_evaluation-logic.html and its cross-account
//! page): explicit deny anywhere wins; SCPs, RCPs and a VPC endpoint policy
//! must allow; then identity policies (within the permissions boundary and
//! session policy) or the resource's policy allow, by the rules of which
//! principal the resource policy names. Service facts are data
//! ([`services`]); KMS adds grants on top in `kms::authorize`.

mod context;
mod guardrails;
pub mod services;
#[cfg(test)]
mod tests;

use smallvec::SmallVec;

use super::compile::CompiledPolicy;
use super::evaluate::{Decision, Matches, MissingKeys, Reason, Trace};
use super::guardrail_note::GuardrailNote;
use super::principal::PrincipalMatch;
use super::request::{CallerKind, Request};

pub use context::derive_context;
pub use guardrails::{Attached, Each, GuardrailPolicies, Guardrails, IdentitySide, Limited, Stop};

/// The policies around one request. Identity policies and boundaries are
/// keyed by the user or role ARN they are attached to (a role's apply to
/// its sessions); SCPs and RCPs by account.
#[derive(Clone, Copy, Debug, Default)]
pub struct Policies<'p> {
    /// The resource's own policy: bucket policy, trust policy, key policy, …
    pub resource: Option<&'p CompiledPolicy>,
    pub identity: &'p [(String, CompiledPolicy)],
    pub boundaries: &'p [(String, CompiledPolicy)],
    /// The session policy of the calling session, if any.
    pub session: Option<&'p CompiledPolicy>,
    pub scps: &'p [(String, CompiledPolicy)],
    pub rcps: &'p [(String, CompiledPolicy)],
    /// The policy of the VPC endpoint the request passed through.
    pub vpc_endpoint: Option<&'p CompiledPolicy>,
}

/// What the request is about beyond the evaluator's [`Request`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Target<'a> {
    /// The account that owns the resource; `None` for an action with no
    /// resource (the request's resource is then `*`).
    pub resource_account: Option<&'a str>,
    /// The action takes no resource (`s3:ListAllMyBuckets`, `sts:GetCallerIdentity`).
    pub no_resource: bool,
}

/// Why a decision came out as it did: a stable code and a sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    ExplicitDeny,
    NoScpAllows,
    NoRcpAllows,
    NoVpcEndpointAllows,
    RootUser,
    IdentityAllows,
    /// The resource policy names the caller itself (a user, a session, a
    /// service): not limited by boundaries or session policies.
    ResourcePolicyNamesCaller,
    /// It names the caller's role (or the bare role ARN), and the boundary
    /// and session policy allow too.
    ResourcePolicyNamesRole,
    /// It names the caller's role, but the boundary or session policy does not allow.
    ResourcePolicyRoleLimited,
    /// It trusts the caller's account, whose identity policies allow.
    ResourcePolicyDelegates,
    /// Identity policies allow, but this resource's policy must allow too (KMS, role trust).
    ResourcePolicyRequired,
    /// Identity policies allow, but the boundary or session policy does not.
    IdentityLimited,
    CrossAccountAllows,
    CrossAccountResourceSilent,
    CrossAccountIdentitySilent,
    NothingAllows,
}

impl Why {
    /// Every reason, for documentation checks.
    pub const ALL: [Why; 16] = [
        Why::ExplicitDeny,
        Why::NoScpAllows,
        Why::NoRcpAllows,
        Why::NoVpcEndpointAllows,
        Why::RootUser,
        Why::IdentityAllows,
        Why::ResourcePolicyNamesCaller,
        Why::ResourcePolicyNamesRole,
        Why::ResourcePolicyRoleLimited,
        Why::ResourcePolicyDelegates,
        Why::ResourcePolicyRequired,
        Why::IdentityLimited,
        Why::CrossAccountAllows,
        Why::CrossAccountResourceSilent,
        Why::CrossAccountIdentitySilent,
        Why::NothingAllows,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Why::ExplicitDeny => "explicit-deny",
            Why::NoScpAllows => "scp-implicit-deny",
            Why::NoRcpAllows => "rcp-implicit-deny",
            Why::NoVpcEndpointAllows => "vpc-endpoint-implicit-deny",
            Why::RootUser => "root-user",
            Why::IdentityAllows => "identity-allows",
            Why::ResourcePolicyNamesCaller => "resource-policy-names-caller",
            Why::ResourcePolicyNamesRole => "resource-policy-names-role",
            Why::ResourcePolicyRoleLimited => "resource-policy-role-limited",
            Why::ResourcePolicyDelegates => "resource-policy-delegates",
            Why::ResourcePolicyRequired => "resource-policy-required",
            Why::IdentityLimited => "identity-limited",
            Why::CrossAccountAllows => "cross-account-allows",
            Why::CrossAccountResourceSilent => "cross-account-resource-silent",
            Why::CrossAccountIdentitySilent => "cross-account-identity-silent",
            Why::NothingAllows => "nothing-allows",
        }
    }

    pub const fn describe(self) -> &'static str {
        match self {
            Why::ExplicitDeny => "explicitly denied",
            Why::NoScpAllows => "no service control policy of the caller's account allows the action",
            Why::NoRcpAllows => "no resource control policy of the resource's account allows the action",
            Why::NoVpcEndpointAllows => "the VPC endpoint policy does not allow the request",
            Why::RootUser => "allowed: the root user holds every permission in its own account",
            Why::IdentityAllows => "allowed by an identity policy",
            Why::ResourcePolicyNamesCaller => {
                "allowed by the resource policy, which names the caller itself (boundaries and session policies do not limit it)"
            }
            Why::ResourcePolicyNamesRole => {
                "allowed by the resource policy, which names the caller's role; its boundary and session policy allow too"
            }
            Why::ResourcePolicyRoleLimited => {
                "the resource policy names the caller's role, but the role's permissions boundary or the session policy does not allow the action"
            }
            Why::ResourcePolicyDelegates => {
                "allowed by an identity policy; the resource policy trusts the caller's account"
            }
            Why::ResourcePolicyRequired => {
                "an identity policy allows, but this resource's policy must also allow the caller or trust its account, and it does not"
            }
            Why::IdentityLimited => {
                "an identity policy allows, but the permissions boundary or the session policy does not"
            }
            Why::CrossAccountAllows => "allowed across accounts: the resource policy and the caller's identity policy both allow",
            Why::CrossAccountResourceSilent => "across accounts the resource policy must allow, and it does not",
            Why::CrossAccountIdentitySilent => {
                "across accounts the caller's identity policy must allow too (within its boundary and session policy), and it does not"
            }
            Why::NothingAllows => "no policy allows the request",
        }
    }
}

/// The decision, why, and the deciding statements.
#[derive(Clone, Debug)]
pub struct Access<'p> {
    pub decision: Decision,
    pub why: Why,
    pub reasons: SmallVec<[Reason<'p>; 4]>,
    pub missing_context_keys: MissingKeys<'p>,
}

/// Decides `request` under `policies`; with `trace`, records every statement.
pub fn authorize<'p>(
    policies: &Policies<'p>,
    request: &Request,
    target: Target<'_>,
    mut trace: Option<&mut Trace>,
) -> Access<'p> {
    let caller = &request.caller;
    let has_boundary = policies.boundaries.iter().any(|(p, _)| caller.owns(p));
    let resource = match policies.resource {
        Some(policy) if !target.no_resource => Some(Matches::of_resource_policy(
            policy,
            request,
            has_boundary,
            trace.as_deref_mut(),
        )),
        Some(_) => {
            if let Some(trace) = trace.as_deref_mut() {
                trace.note(GuardrailNote::ResourcePolicyNoResource);
            }
            None
        }
        None => None,
    };
    let side = IdentitySide::of(
        policies.identity,
        policies.boundaries,
        policies.session,
        request,
        trace.as_deref_mut(),
    );
    let guardrails = Guardrails::of(
        GuardrailPolicies {
            scps: policies.scps,
            rcps: policies.rcps,
            vpc_endpoint: policies.vpc_endpoint,
        },
        request,
        target.resource_account,
        trace,
    );

    let all = || resource.iter().chain(side.iter()).chain(guardrails.iter());
    let mut access = Access {
        decision: Decision::ImplicitDeny,
        why: Why::NothingAllows,
        reasons: SmallVec::new(),
        missing_context_keys: MissingKeys::new(),
    };
    for key in all().flat_map(|m| m.missing_context_keys.iter()) {
        if !access.missing_context_keys.iter().any(|m| m.eq_ignore_ascii_case(key)) {
            access.missing_context_keys.push(key);
        }
    }
    access.reasons.extend(all().flat_map(|m| m.denies.iter().copied()));
    if !access.reasons.is_empty() {
        access.decision = Decision::ExplicitDeny;
        access.why = Why::ExplicitDeny;
        return access;
    }
    if let Some(stop) = guardrails.stop() {
        access.why = match stop {
            Stop::Scp => Why::NoScpAllows,
            Stop::Rcp => Why::NoRcpAllows,
            Stop::VpcEndpoint => Why::NoVpcEndpointAllows,
        };
        return access;
    }

    let root = caller.kind == CallerKind::Root;
    let identity_allows = || side.identity.iter().flat_map(|m| m.allows.iter().copied());
    let within_limits = side.limited().is_none();
    let identity_any = side.allows();
    let identity_ok = root || (identity_any && within_limits);
    let resource_allows = |principal: fn(Option<PrincipalMatch>, &CallerKind) -> bool| {
        resource
            .iter()
            .flat_map(|m| m.allows.iter().copied())
            .filter(move |r| principal(r.principal, &caller.kind))
    };
    // Which resource-policy allows count on their own, which only within
    // the boundary and session policy, and which delegate to the account
    // ([IAM] evaluation-logic, "resource-based policies" table).
    let names_caller = |m: Option<PrincipalMatch>, kind: &CallerKind| {
        m == Some(PrincipalMatch::Direct) && !matches!(kind, CallerKind::Role { .. })
    };
    let names_role = |m: Option<PrincipalMatch>, kind: &CallerKind| {
        m == Some(PrincipalMatch::Role)
            || (m == Some(PrincipalMatch::Direct) && matches!(kind, CallerKind::Role { .. }))
    };
    let trusts_account = |m: Option<PrincipalMatch>, _: &CallerKind| m == Some(PrincipalMatch::Account);
    let allow = |mut access: Access<'p>, why| {
        access.decision = Decision::Allow;
        access.why = why;
        access
    };

    let cross_account = match (&caller.account, target.resource_account) {
        (Some(mine), Some(theirs)) => mine != theirs,
        _ => false,
    };
    if cross_account {
        let resource_side: SmallVec<[Reason<'p>; 4]> = resource_allows(|m, _| m.is_some()).collect();
        if resource_side.is_empty() {
            access.why = Why::CrossAccountResourceSilent;
            return access;
        }
        if !identity_ok {
            access.why = Why::CrossAccountIdentitySilent;
            return access;
        }
        access.reasons.extend(resource_side);
        access.reasons.extend(identity_allows());
        return allow(access, Why::CrossAccountAllows);
    }

    if resource_allows(names_caller).next().is_some() {
        access.reasons.extend(resource_allows(names_caller));
        return allow(access, Why::ResourcePolicyNamesCaller);
    }
    let role_named = resource_allows(names_role).next().is_some();
    if role_named && within_limits {
        access.reasons.extend(resource_allows(names_role));
        return allow(access, Why::ResourcePolicyNamesRole);
    }
    if identity_ok && resource_allows(trusts_account).next().is_some() {
        access.reasons.extend(resource_allows(trusts_account));
        access.reasons.extend(identity_allows());
        return allow(access, Why::ResourcePolicyDelegates);
    }
    let required = !target.no_resource && services::resource_policy_required(&request.action);
    if identity_ok && !required {
        if root && !identity_any {
            return allow(access, Why::RootUser);
        }
        access.reasons.extend(identity_allows());
        return allow(access, Why::IdentityAllows);
    }
    access.why = if role_named {
        Why::ResourcePolicyRoleLimited
    } else if identity_ok {
        Why::ResourcePolicyRequired
    } else if identity_any {
        Why::IdentityLimited
    } else {
        Why::NothingAllows
    };
    access
}
