//! The parts of a decision that the general evaluator and the KMS
//! authorizer share: the caller's identity side (its identity policies
//! within its permissions boundary and session policy) and the guardrails
//! (SCPs, RCPs, the VPC endpoint policy). With a trace, each guardrail
//! that was given but did not apply leaves a [`GuardrailNote`] saying why.
//!
//! Sources: IAM User Guide, reference_policies_evaluation-logic.html (every policy
//! type); Organizations User Guide, orgs_manage_policies_scps.html (SCPs limit the IAM
//! principals of member accounts), orgs_manage_policies_rcps.html (RCPs of
//! the resource owner's account, for the services listed, never for
//! `kms:RetireGrant`, service-linked roles, AWS managed keys or resources of
//! the management account: #actions-not-restricted-by-rcps); [VPC] vpc-endpoints-access.html and KMS Developer Guide,
//! vpce-connect.html (a request through an endpoint needs its policy's
//! allow as well).

use smallvec::SmallVec;

use super::services;
use crate::eval::compile::CompiledPolicy;
use crate::eval::evaluate::{Matches, Trace};
use crate::eval::guardrail_note::GuardrailNote;
use crate::eval::request::{is_service_linked_role_arn, CallerKind, Request};

/// The matches of several policies of one kind.
pub type Each<'p> = SmallVec<[Matches<'p>; 2]>;

/// Policies attached to a principal (user or role ARN) or an account.
pub type Attached = [(String, CompiledPolicy)];

/// The caller's identity policies, boundary and session policy, evaluated.
#[derive(Clone, Debug, Default)]
pub struct IdentitySide<'p> {
    pub identity: Each<'p>,
    pub boundary: Option<Matches<'p>>,
    /// Only for a session (a role session or a federated user).
    pub session: Option<Matches<'p>>,
}

/// Which limit stopped an identity-policy allow, with the limiting
/// policy's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limited<'p> {
    Boundary(&'p str),
    SessionPolicy(&'p str),
}

impl<'p> IdentitySide<'p> {
    /// Evaluates the policies of `identity` and `boundaries` that belong to
    /// the caller (a role's belong to its sessions), and `session` for a
    /// session.
    pub fn of(
        identity: &'p Attached,
        boundaries: &'p Attached,
        session: Option<&'p CompiledPolicy>,
        request: &Request,
        mut trace: Option<&mut Trace>,
    ) -> IdentitySide<'p> {
        let caller = &request.caller;
        let mut run = |policy: &'p CompiledPolicy| Matches::of(policy, request, trace.as_deref_mut());
        let identity = identity
            .iter()
            .filter(|(p, _)| caller.owns(p))
            .map(|(_, policy)| run(policy))
            .collect();
        let boundary = boundaries
            .iter()
            .find(|(p, _)| caller.owns(p))
            .map(|(_, policy)| run(policy));
        // Session policies limit sessions only (§8.8 step 8).
        let is_session = matches!(caller.kind, CallerKind::AssumedRole { .. } | CallerKind::FederatedUser);
        let session = session.filter(|_| is_session).map(run);
        IdentitySide {
            identity,
            boundary,
            session,
        }
    }

    /// Does any identity policy allow (before the limits)?
    pub fn allows(&self) -> bool {
        self.identity.iter().any(|m| !m.allows.is_empty())
    }

    /// The boundary or session policy that does not allow, if any.
    pub fn limited(&self) -> Option<Limited<'p>> {
        let silent = |m: &Matches<'p>| m.allows.is_empty();
        if let Some(boundary) = self.boundary.as_ref().filter(|m| silent(m)) {
            return Some(Limited::Boundary(boundary.policy));
        }
        self.session
            .as_ref()
            .filter(|m| silent(m))
            .map(|s| Limited::SessionPolicy(s.policy))
    }

    /// Every evaluated policy of the identity side.
    pub fn iter(&self) -> impl Iterator<Item = &Matches<'p>> {
        self.identity
            .iter()
            .chain(self.boundary.iter())
            .chain(self.session.iter())
    }
}

/// The guardrail policies around a request.
#[derive(Clone, Copy, Debug, Default)]
pub struct GuardrailPolicies<'p> {
    /// SCPs by account.
    pub scps: &'p Attached,
    /// RCPs by account.
    pub rcps: &'p Attached,
    /// The policy of the VPC endpoint the request passed through.
    pub vpc_endpoint: Option<&'p CompiledPolicy>,
    /// The organization's management account, whose resources RCPs do not affect.
    pub management_account: Option<&'p str>,
}

/// What the guardrails need to know about the resource.
#[derive(Clone, Copy, Debug, Default)]
pub struct ResourceFacts<'a> {
    /// The account owning it; `None` for an action with no resource.
    pub account: Option<&'a str>,
    /// It is an AWS managed KMS key (`KeyManager` `AWS`).
    pub aws_managed_key: bool,
}

/// The guardrails that apply to a request, evaluated.
#[derive(Clone, Debug, Default)]
pub struct Guardrails<'p> {
    pub scps: Each<'p>,
    pub rcps: Each<'p>,
    pub vpc_endpoint: Option<Matches<'p>>,
}

/// The guardrail that allows nothing, so the request is implicitly denied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    Scp,
    Rcp,
    VpcEndpoint,
}

impl<'p> Guardrails<'p> {
    /// Evaluates the SCPs of the caller's account, the RCPs of the
    /// resource's account (for an action with no resource, the caller's
    /// account: docs/evaluation.md) and the VPC endpoint policy.
    pub fn of(
        policies: GuardrailPolicies<'p>,
        request: &Request,
        resource: ResourceFacts<'_>,
        mut trace: Option<&mut Trace>,
    ) -> Guardrails<'p> {
        let resource_account = resource.account;
        let caller = &request.caller;
        let note = |trace: &mut Option<&mut Trace>, note| {
            if let Some(trace) = trace.as_deref_mut() {
                trace.note(note);
            }
        };
        let iam_principal = !matches!(caller.kind, CallerKind::Service | CallerKind::Anonymous);
        let of_account = |attached: &'p Attached, account: &str, trace: &mut Option<&mut Trace>| -> Each<'p> {
            attached
                .iter()
                .filter(|(a, _)| a == account)
                .map(|(_, policy)| Matches::of(policy, request, trace.as_deref_mut()))
                .collect()
        };

        let scps = match &caller.account {
            // Tasks and entities not restricted by SCPs
            // (orgs_manage_policies_scps.html): service-linked roles and
            // the principals of the management account.
            Some(_) if iam_principal && !policies.scps.is_empty() && caller.is_service_linked_role() => {
                note(&mut trace, GuardrailNote::ScpNotForServiceLinkedRole);
                Each::new()
            }
            Some(account)
                if iam_principal
                    && !policies.scps.is_empty()
                    && policies.management_account == Some(account.as_str()) =>
            {
                note(&mut trace, GuardrailNote::ScpNotForManagementAccount);
                Each::new()
            }
            Some(account) if iam_principal => of_account(policies.scps, account, &mut trace),
            _ => {
                if !policies.scps.is_empty() {
                    let why = match caller.kind {
                        CallerKind::Anonymous => GuardrailNote::ScpNotForAnonymous,
                        _ => GuardrailNote::ScpNotForServicePrincipal,
                    };
                    note(&mut trace, why);
                }
                Each::new()
            }
        };

        let rcp_account = match resource_account {
            Some(account) => Some(account),
            None if iam_principal => caller.account.as_deref(),
            None => None,
        };
        let rcps = if policies.rcps.is_empty() {
            Each::new()
        } else if let Some(why) = rcp_exemption(&policies, request, resource, rcp_account) {
            note(&mut trace, why);
            Each::new()
        } else {
            match rcp_account {
                Some(account) => {
                    if resource_account.is_none() {
                        note(&mut trace, GuardrailNote::RcpOfCallerAccount);
                    }
                    of_account(policies.rcps, account, &mut trace)
                }
                None => {
                    note(&mut trace, GuardrailNote::RcpNoAccount);
                    Each::new()
                }
            }
        };

        let vpc_endpoint = policies.vpc_endpoint.map(|policy| Matches::of(policy, request, trace));
        Guardrails {
            scps,
            rcps,
            vpc_endpoint,
        }
    }

    /// Every evaluated guardrail policy.
    pub fn iter(&self) -> impl Iterator<Item = &Matches<'p>> {
        self.scps.iter().chain(&self.rcps).chain(self.vpc_endpoint.iter())
    }

    /// The first guardrail kind that applies and allows nothing.
    pub fn stop(&self) -> Option<Stop> {
        let silent = |each: &Each<'_>| !each.is_empty() && each.iter().all(|m| m.allows.is_empty());
        if silent(&self.scps) {
            Some(Stop::Scp)
        } else if silent(&self.rcps) {
            Some(Stop::Rcp)
        } else if self.vpc_endpoint.as_ref().is_some_and(|m| m.allows.is_empty()) {
            Some(Stop::VpcEndpoint)
        } else {
            None
        }
    }
}

/// Why no RCP applies to this request, when one of the Organizations User
/// Guide's exemptions holds (orgs_manage_policies_rcps.html,
/// #rcp-supported-services and #actions-not-restricted-by-rcps).
fn rcp_exemption(
    policies: &GuardrailPolicies<'_>,
    request: &Request,
    resource: ResourceFacts<'_>,
    rcp_account: Option<&str>,
) -> Option<GuardrailNote> {
    let action = request.action.as_str();
    if !services::rcps_cover(action) {
        Some(GuardrailNote::RcpServiceNotCovered)
    } else if action.eq_ignore_ascii_case("kms:RetireGrant") {
        Some(GuardrailNote::RcpNotForRetireGrant)
    } else if request.caller.is_service_linked_role() {
        Some(GuardrailNote::RcpNotForServiceLinkedRole)
    } else if action.eq_ignore_ascii_case("sts:AssumeRole") && is_service_linked_role_arn(&request.resource) {
        Some(GuardrailNote::RcpNotForServiceLinkedRoleTrust)
    } else if resource.aws_managed_key {
        Some(GuardrailNote::RcpNotForAwsManagedKey)
    } else if rcp_account.is_some() && rcp_account == policies.management_account {
        Some(GuardrailNote::RcpNotForManagementAccount)
    } else {
        None
    }
}
