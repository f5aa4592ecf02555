//! The KMS authorizer (§5.6): explicit deny in any policy wins; SCPs of the
//! caller's account and RCPs of the key's account must allow; a grant can
//! allow on its own; otherwise the key policy must allow the caller directly,
//! or delegate to the caller's account whose identity policies allow (within
//! the permissions boundary and session policy). Across accounts, the key
//! policy and the caller's identity policy must both allow.

use super::actions;
use super::grants;
use super::request::KmsRequest;
use crate::eval::{
    Caller, CallerKind, CompiledPolicy, Decision, Matches, PrincipalMatch, Reason, Trace,
};
use crate::policy::{Effect, Grant};
use crate::source::Span;

/// Everything that can take part in a decision about one key.
#[derive(Clone, Debug, Default)]
pub struct Authorizer {
    pub key_policy: Option<CompiledPolicy>,
    /// Identity policies by the principal they are attached to (user or role ARN).
    pub identity_policies: Vec<(String, CompiledPolicy)>,
    /// Permissions boundaries by principal ARN.
    pub boundaries: Vec<(String, CompiledPolicy)>,
    /// The session policy of the calling session, if any.
    pub session_policy: Option<CompiledPolicy>,
    /// Service control policies by account.
    pub scps: Vec<(String, CompiledPolicy)>,
    /// Resource control policies by account.
    pub rcps: Vec<(String, CompiledPolicy)>,
    pub grants: Vec<Grant>,
}

/// Which mechanism allowed the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    KeyPolicy,
    IdentityPolicy,
    Grant,
}

impl Path {
    pub const fn as_str(self) -> &'static str {
        match self {
            Path::KeyPolicy => "key-policy",
            Path::IdentityPolicy => "identity-policy",
            Path::Grant => "grant",
        }
    }
}

/// A statement or grant that took part in the decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cause {
    /// The policy's name, or `grant` for a grant.
    pub policy: String,
    pub statement: Option<usize>,
    pub sid: Option<String>,
    pub effect: Effect,
    pub span: Option<Span>,
    pub grant_id: Option<String>,
}

/// The authorizer's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    pub decision: Decision,
    pub path: Option<Path>,
    pub reasons: Vec<Cause>,
    /// In words, why: one sentence a person can act on.
    pub summary: String,
    pub missing_context_keys: Vec<String>,
    pub trace: Option<Trace>,
}

fn cause(reason: &Reason<'_>) -> Cause {
    Cause {
        policy: reason.policy.to_owned(),
        statement: Some(reason.statement),
        sid: reason.sid.map(str::to_owned),
        effect: reason.effect,
        span: Some(reason.span),
        grant_id: None,
    }
}

/// Does a policy attached to `attached_to` (a user or role ARN) belong to the caller?
fn attached_to_caller(attached_to: &str, caller: &Caller) -> bool {
    if attached_to == caller.arn {
        return true;
    }
    let parts: Vec<&str> = attached_to.splitn(6, ':').collect();
    match (parts.as_slice(), &caller.kind) {
        (["arn", _, "iam", "", account, resource], CallerKind::AssumedRole { role_name }) => {
            caller.account.as_deref() == Some(*account)
                && resource.starts_with("role/")
                && resource.rsplit('/').next() == Some(role_name.as_str())
        }
        _ => false,
    }
}

impl Authorizer {
    /// Decides a request; with `trace`, records every statement looked at.
    pub fn authorize(&self, request: &KmsRequest, trace: bool) -> Authorization {
        let eval = request.to_eval_request();
        let caller = &request.caller;
        let mut trace = trace.then(Trace::default);
        let iam_only = actions::is_iam_only(&request.action);
        let key_account = request.key_account();

        let mut run = |policy| run(policy, &eval, &mut trace);
        let key = if iam_only {
            None
        } else {
            self.key_policy.as_ref().map(&mut run)
        };
        let identity: Vec<Matches<'_>> = self
            .identity_policies
            .iter()
            .filter(|(p, _)| attached_to_caller(p, caller))
            .map(|(_, policy)| run(policy))
            .collect();
        let boundary = self
            .boundaries
            .iter()
            .find(|(p, _)| attached_to_caller(p, caller))
            .map(|(_, policy)| run(policy));
        // Session policies limit sessions only (§8.8 step 8).
        let is_session = matches!(
            caller.kind,
            CallerKind::AssumedRole { .. } | CallerKind::FederatedUser
        );
        let session = self
            .session_policy
            .as_ref()
            .filter(|_| is_session)
            .map(&mut run);
        // Service principals are not governed by an account's SCPs.
        let scps: Vec<Matches<'_>> = match &caller.account {
            Some(account) if caller.kind != CallerKind::Service => self
                .scps
                .iter()
                .filter(|(a, _)| a == account)
                .map(|(_, policy)| run(policy))
                .collect(),
            _ => Vec::new(),
        };
        let rcps: Vec<Matches<'_>> = match key_account {
            Some(account) if !iam_only => self
                .rcps
                .iter()
                .filter(|(a, _)| a == account)
                .map(|(_, policy)| run(policy))
                .collect(),
            _ => Vec::new(),
        };

        let all: Vec<&Matches<'_>> = key
            .iter()
            .chain(&identity)
            .chain(boundary.iter())
            .chain(session.iter())
            .chain(&scps)
            .chain(&rcps)
            .collect();
        let mut missing: Vec<String> = Vec::new();
        for key in all.iter().flat_map(|m| m.missing_context_keys.iter()) {
            if !missing.iter().any(|m| m.eq_ignore_ascii_case(key)) {
                missing.push((*key).to_owned());
            }
        }
        let answer = |decision, path, reasons: Vec<Cause>, summary: String| Authorization {
            decision,
            path,
            reasons,
            summary,
            missing_context_keys: missing.clone(),
            trace: None,
        };

        // 1. An explicit deny anywhere is final.
        let denies: Vec<Cause> = all
            .iter()
            .flat_map(|m| m.denies.iter())
            .map(cause)
            .collect();
        let mut result = if !denies.is_empty() {
            let summary = format!("explicitly denied by {}", describe(&denies));
            answer(Decision::ExplicitDeny, None, denies, summary)
        } else if !scps.is_empty() && scps.iter().all(|m| m.allows.is_empty()) {
            // 2. Guardrails must allow.
            answer(
                Decision::ImplicitDeny,
                None,
                Vec::new(),
                "no service control policy of the caller's account allows the action".into(),
            )
        } else if !rcps.is_empty() && rcps.iter().all(|m| m.allows.is_empty()) {
            answer(
                Decision::ImplicitDeny,
                None,
                Vec::new(),
                "no resource control policy of the key's account allows the action".into(),
            )
        } else {
            self.allow_paths(
                request,
                iam_only,
                key.as_ref(),
                &identity,
                boundary.as_ref(),
                session.as_ref(),
                &answer,
            )
        };
        result.trace = trace;
        result
    }

    /// Steps 3–5 of §5.6, once nothing denies.
    #[allow(clippy::too_many_arguments)]
    fn allow_paths(
        &self,
        request: &KmsRequest,
        iam_only: bool,
        key: Option<&Matches<'_>>,
        identity: &[Matches<'_>],
        boundary: Option<&Matches<'_>>,
        session: Option<&Matches<'_>>,
        answer: &dyn Fn(Decision, Option<Path>, Vec<Cause>, String) -> Authorization,
    ) -> Authorization {
        let caller = &request.caller;
        let identity_allows: Vec<Cause> = identity
            .iter()
            .flat_map(|m| m.allows.iter())
            .map(cause)
            .collect();
        let boundary_ok = boundary.is_none_or(|b| !b.allows.is_empty());
        let session_ok = session.is_none_or(|s| !s.allows.is_empty());
        let limits_ok = boundary_ok && session_ok;
        let identity_ok = !identity_allows.is_empty() && limits_ok;
        let limit_note = || match (boundary_ok, session_ok) {
            (false, _) => " (the permissions boundary does not allow it)",
            (_, false) => " (the session policy does not allow it)",
            _ => "",
        };

        if iam_only {
            return if identity_ok {
                answer(
                    Decision::Allow,
                    Some(Path::IdentityPolicy),
                    identity_allows,
                    "allowed by an identity policy".into(),
                )
            } else {
                answer(
                    Decision::ImplicitDeny,
                    None,
                    Vec::new(),
                    format!("no identity policy allows this action{}", limit_note()),
                )
            };
        }

        // 3. A grant allows on its own (an account grantee: with IAM's consent).
        for grant in &self.grants {
            let Some(matched) = grants::authorizes(grant, request) else {
                continue;
            };
            if matched != PrincipalMatch::Account || identity_ok {
                let id = grant.grant_id.as_ref().map(|g| g.node.clone());
                let summary = format!("allowed by grant {}", id.as_deref().unwrap_or("(no id)"));
                let reason = Cause {
                    policy: "grant".into(),
                    statement: None,
                    sid: None,
                    effect: Effect::Allow,
                    span: Some(grant_span(grant)),
                    grant_id: id,
                };
                return answer(Decision::Allow, Some(Path::Grant), vec![reason], summary);
            }
        }

        // RetireGrant is the grant's business alone: its retiring principal,
        // a grantee allowed to (handled above), or the issuing account; a key
        // policy allowing `kms:RetireGrant` has no effect (§6.6).
        if request.action.eq_ignore_ascii_case("kms:RetireGrant") {
            return match self.grants.iter().find(|g| grants::may_retire(g, request, identity_ok)) {
                Some(grant) => {
                    let id = grant.grant_id.as_ref().map(|g| g.node.clone());
                    let summary = format!("the caller may retire grant {}", id.as_deref().unwrap_or("(no id)"));
                    let reason = Cause {
                        policy: "grant".into(),
                        statement: None,
                        sid: None,
                        effect: Effect::Allow,
                        span: Some(grant_span(grant)),
                        grant_id: id,
                    };
                    answer(Decision::Allow, Some(Path::Grant), vec![reason], summary)
                }
                None => answer(
                    Decision::ImplicitDeny,
                    None,
                    Vec::new(),
                    "only a grant's retiring principal, a grantee allowed `RetireGrant`, or the issuing account may retire it; a key policy cannot allow it".into(),
                ),
            };
        }

        // 4. The key policy, directly or by delegation to the caller's account.
        let Some(key) = key else {
            return answer(
                Decision::ImplicitDeny,
                None,
                Vec::new(),
                "no key policy was given and no grant applies".into(),
            );
        };
        let direct: Vec<Cause> = key
            .allows
            .iter()
            .filter(|r| r.principal.is_some_and(|p| p != PrincipalMatch::Account))
            .map(cause)
            .collect();
        let delegated: Vec<Cause> = key
            .allows
            .iter()
            .filter(|r| r.principal == Some(PrincipalMatch::Account))
            .map(cause)
            .collect();
        // Service principals act as themselves; only callers of another
        // account need their own identity policy as well.
        let cross_account =
            caller.account.is_some() && caller.account.as_deref() != request.key_account();
        let with = |mut key_causes: Vec<Cause>, ids: &[Cause]| {
            key_causes.extend(ids.iter().cloned());
            key_causes
        };
        if !cross_account {
            // A statement naming the caller itself is not limited by boundaries
            // or session policies; one naming its role is (§5.6, inference).
            let names_caller = key
                .allows
                .iter()
                .any(|r| r.principal == Some(PrincipalMatch::Direct));
            let names_role = key
                .allows
                .iter()
                .any(|r| r.principal == Some(PrincipalMatch::Role));
            if names_caller || (names_role && limits_ok) {
                return answer(
                    Decision::Allow,
                    Some(Path::KeyPolicy),
                    direct,
                    "allowed by the key policy".into(),
                );
            }
            if !delegated.is_empty() && identity_ok {
                let summary = "allowed by an identity policy; the key policy delegates to the caller's account".into();
                return answer(
                    Decision::Allow,
                    Some(Path::IdentityPolicy),
                    with(delegated, &identity_allows),
                    summary,
                );
            }
        } else if identity_ok && !direct.is_empty() {
            let summary = "allowed across accounts: the key policy names the caller and its identity policy allows".into();
            return answer(
                Decision::Allow,
                Some(Path::KeyPolicy),
                with(direct, &identity_allows),
                summary,
            );
        } else if identity_ok && !delegated.is_empty() {
            let summary = "allowed across accounts: the key policy allows the caller's account and its identity policy allows".into();
            return answer(
                Decision::Allow,
                Some(Path::IdentityPolicy),
                with(delegated, &identity_allows),
                summary,
            );
        }
        answer(
            Decision::ImplicitDeny,
            None,
            Vec::new(),
            implicit_deny_summary(
                cross_account,
                &direct,
                &delegated,
                &identity_allows,
                limit_note(),
            ),
        )
    }
}

fn run<'p>(
    policy: &'p CompiledPolicy,
    request: &crate::eval::Request,
    trace: &mut Option<Trace>,
) -> Matches<'p> {
    Matches::of(policy, request, trace.as_mut())
}

fn grant_span(grant: &Grant) -> Span {
    grant.grantee.span
}

fn describe(causes: &[Cause]) -> String {
    let names: Vec<String> = causes
        .iter()
        .map(|c| match (&c.sid, c.statement) {
            (Some(sid), _) => format!("statement `{sid}` of {}", c.policy),
            (None, Some(i)) => format!("statement {i} of {}", c.policy),
            (None, None) => c.policy.clone(),
        })
        .collect();
    names.join(" and ")
}

fn implicit_deny_summary(
    cross_account: bool,
    direct: &[Cause],
    delegated: &[Cause],
    identity: &[Cause],
    limit: &str,
) -> String {
    match (cross_account, direct.is_empty() && delegated.is_empty(), identity.is_empty()) {
        (true, true, _) => "the key policy does not allow the caller or its account".into(),
        (true, false, _) => format!("across accounts the caller's identity policy must allow too, and none does{limit}"),
        (false, true, false) => {
            "an identity policy allows, but the key policy neither names the caller nor delegates to its account".into()
        }
        (false, true, true) => "no statement of the key policy allows the caller, and no grant applies".into(),
        (false, false, _) => format!("the key policy delegates to the caller's account, but no identity policy allows{limit}"),
    }
}
