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
pub use guardrails::{Attached, Each, GuardrailPolicies, Guardrails, IdentitySide, Limited, ResourceFacts, Stop};

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
    /// The organization's management account, whose resources RCPs do not affect.
    pub management_account: Option<&'p str>,
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

/// The rule by which a decision came out as it did: a stable code and a sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
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

impl Rule {
    /// Every reason, for documentation checks.
    pub const ALL: [Rule; 16] = [
        Rule::ExplicitDeny,
        Rule::NoScpAllows,
        Rule::NoRcpAllows,
        Rule::NoVpcEndpointAllows,
        Rule::RootUser,
        Rule::IdentityAllows,
        Rule::ResourcePolicyNamesCaller,
        Rule::ResourcePolicyNamesRole,
        Rule::ResourcePolicyRoleLimited,
        Rule::ResourcePolicyDelegates,
        Rule::ResourcePolicyRequired,
        Rule::IdentityLimited,
        Rule::CrossAccountAllows,
        Rule::CrossAccountResourceSilent,
        Rule::CrossAccountIdentitySilent,
        Rule::NothingAllows,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Rule::ExplicitDeny => "explicit-deny",
            Rule::NoScpAllows => "scp-implicit-deny",
            Rule::NoRcpAllows => "rcp-implicit-deny",
            Rule::NoVpcEndpointAllows => "vpc-endpoint-implicit-deny",
            Rule::RootUser => "root-user",
            Rule::IdentityAllows => "identity-allows",
            Rule::ResourcePolicyNamesCaller => "resource-policy-names-caller",
            Rule::ResourcePolicyNamesRole => "resource-policy-names-role",
            Rule::ResourcePolicyRoleLimited => "resource-policy-role-limited",
            Rule::ResourcePolicyDelegates => "resource-policy-delegates",
            Rule::ResourcePolicyRequired => "resource-policy-required",
            Rule::IdentityLimited => "identity-limited",
            Rule::CrossAccountAllows => "cross-account-allows",
            Rule::CrossAccountResourceSilent => "cross-account-resource-silent",
            Rule::CrossAccountIdentitySilent => "cross-account-identity-silent",
            Rule::NothingAllows => "nothing-allows",
        }
    }

    pub const fn describe(self) -> &'static str {
        match self {
            Rule::ExplicitDeny => "explicitly denied",
            Rule::NoScpAllows => "no service control policy of the caller's account allows the action",
            Rule::NoRcpAllows => "no resource control policy of the resource's account allows the action",
            Rule::NoVpcEndpointAllows => "the VPC endpoint policy does not allow the request",
            Rule::RootUser => "allowed: the root user holds every permission in its own account",
            Rule::IdentityAllows => "allowed by an identity policy",
            Rule::ResourcePolicyNamesCaller => {
                "allowed by the resource policy, which names the caller itself (boundaries and session policies do not limit it)"
            }
            Rule::ResourcePolicyNamesRole => {
                "allowed by the resource policy, which names the caller's role; its boundary and session policy allow too"
            }
            Rule::ResourcePolicyRoleLimited => {
                "the resource policy names the caller's role, but the role's permissions boundary or the session policy does not allow the action"
            }
            Rule::ResourcePolicyDelegates => {
                "allowed by an identity policy; the resource policy trusts the caller's account"
            }
            Rule::ResourcePolicyRequired => {
                "an identity policy allows, but this resource's policy must also allow the caller or trust its account, and it does not"
            }
            Rule::IdentityLimited => {
                "an identity policy allows, but the permissions boundary or the session policy does not"
            }
            Rule::CrossAccountAllows => "allowed across accounts: the resource policy and the caller's identity policy both allow",
            Rule::CrossAccountResourceSilent => "across accounts the resource policy must allow, and it does not",
            Rule::CrossAccountIdentitySilent => {
                "across accounts the caller's identity policy must allow too (within its boundary and session policy), and it does not"
            }
            Rule::NothingAllows => "no policy allows the request",
        }
    }
}

/// The decision, why, and the deciding statements.
#[derive(Clone, Debug)]
pub struct Access<'p> {
    pub decision: Decision,
    pub why: Rule,
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
            management_account: policies.management_account,
        },
        request,
        ResourceFacts {
            account: target.resource_account,
            aws_managed_key: false,
        },
        trace,
    );

    let all = || resource.iter().chain(side.iter()).chain(guardrails.iter());
    let mut access = Access {
        decision: Decision::ImplicitDeny,
        why: Rule::NothingAllows,
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
        access.why = Rule::ExplicitDeny;
        return access;
    }
    if let Some(stop) = guardrails.stop() {
        access.why = match stop {
            Stop::Scp => Rule::NoScpAllows,
            Stop::Rcp => Rule::NoRcpAllows,
            Stop::VpcEndpoint => Rule::NoVpcEndpointAllows,
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
            access.why = Rule::CrossAccountResourceSilent;
            return access;
        }
        if !identity_ok {
            access.why = Rule::CrossAccountIdentitySilent;
            return access;
        }
        access.reasons.extend(resource_side);
        access.reasons.extend(identity_allows());
        return allow(access, Rule::CrossAccountAllows);
    }

    if resource_allows(names_caller).next().is_some() {
        access.reasons.extend(resource_allows(names_caller));
        return allow(access, Rule::ResourcePolicyNamesCaller);
    }
    let role_named = resource_allows(names_role).next().is_some();
    if role_named && within_limits {
        access.reasons.extend(resource_allows(names_role));
        return allow(access, Rule::ResourcePolicyNamesRole);
    }
    if identity_ok && resource_allows(trusts_account).next().is_some() {
        access.reasons.extend(resource_allows(trusts_account));
        access.reasons.extend(identity_allows());
        return allow(access, Rule::ResourcePolicyDelegates);
    }
    let required = !target.no_resource && services::resource_policy_required(&request.action);
    if identity_ok && !required {
        if root && !identity_any {
            return allow(access, Rule::RootUser);
        }
        access.reasons.extend(identity_allows());
        return allow(access, Rule::IdentityAllows);
    }
    access.why = if role_named {
        Rule::ResourcePolicyRoleLimited
    } else if identity_ok {
        Rule::ResourcePolicyRequired
    } else if identity_any {
        Rule::IdentityLimited
    } else {
        Rule::NothingAllows
    };
    access
}
