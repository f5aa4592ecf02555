//! The KMS authorizer (§5.6): explicit deny in any policy wins; SCPs of the
//! caller's account, RCPs of the key's account and the policy of the VPC
//! endpoint the request passed through must allow; a grant can
//! allow on its own; otherwise the key policy must allow the caller directly,
//! or delegate to the caller's account whose identity policies allow (within
//! the permissions boundary and session policy). Across accounts, the key
//! policy and the caller's identity policy must both allow.

use super::actions;
use super::grants as grant_rules;
use super::request::KmsRequest;
use std::collections::BTreeMap;

use smallvec::SmallVec;

use crate::eval::access::{GuardrailPolicies, Guardrails, IdentitySide, Limited, ResourceFacts, Stop};
use crate::eval::{
    Caller, CallerKind, CompiledPolicy, ContextValue, Decision, GuardrailNote, Matches, MissingKeys, Note,
    PrincipalMatch, Reason, Request, Trace,
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
    /// VPC endpoint policies by endpoint id (`vpce-…`): the one the
    /// request's `aws:SourceVpce` names applies (KMS Developer Guide, vpce-connect.html).
    pub vpc_endpoint_policies: Vec<(String, CompiledPolicy)>,
    pub grants: Vec<Grant>,
    /// Tags of users and roles, by principal ARN: `aws:PrincipalTag/<key>`.
    pub principal_tags: Vec<(String, BTreeMap<String, String>)>,
    /// Unique ids given to users and roles (the accounts file's `UserId` and
    /// `RoleId`), by principal ARN; others' are derived from their ARNs.
    pub unique_ids: Vec<(String, String)>,
    /// The organization's management account: RCPs do not affect its
    /// resources (\[ORG\] orgs_manage_policies_rcps.html).
    pub management_account: Option<String>,
    /// The organization and its member accounts: `aws:PrincipalOrgID`,
    /// `aws:ResourceOrgID` and their paths.
    pub organization: Option<super::organization::Organization>,
}

/// Which mechanism allowed the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    KeyPolicy,
    IdentityPolicy,
    Grant,
    /// Another service's resource policy (bucket policy, trust policy, …).
    ResourcePolicy,
}

impl Path {
    pub const fn as_str(self) -> &'static str {
        match self {
            Path::KeyPolicy => "key-policy",
            Path::IdentityPolicy => "identity-policy",
            Path::Grant => "grant",
            Path::ResourcePolicy => "resource-policy",
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
    /// Why a `Deny` with `NotPrincipal` applied to the caller.
    pub note: Option<Note>,
}

/// The authorizer's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    pub decision: Decision,
    pub path: Option<Path>,
    /// Why, as a stable code ([`KeyRule::code`], or the general evaluator's).
    pub why: &'static str,
    pub reasons: Vec<Cause>,
    /// In words, why: one sentence a person can act on.
    pub summary: String,
    pub missing_context_keys: Vec<String>,
    pub trace: Option<Trace>,
    /// With a trace: each grant on the key, and whether it applied or why not.
    pub grants: Vec<GrantNote>,
}

/// One grant's part in a decision, for explanations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantNote {
    pub grant_id: Option<String>,
    pub name: Option<String>,
    /// `Ok` when it applies; otherwise why not, in words.
    pub outcome: Result<(), String>,
}

/// A deciding statement as an owned [`Cause`].
pub fn cause(reason: &Reason<'_>) -> Cause {
    Cause {
        policy: reason.policy.to_owned(),
        statement: Some(reason.statement),
        sid: reason.sid.map(str::to_owned),
        effect: reason.effect,
        span: Some(reason.span),
        grant_id: None,
        note: reason.note,
    }
}

/// The rule by which a KMS verdict came out as it did (its code is stable);
/// [`Authorization::summary`] says it in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRule {
    ExplicitDeny,
    NoScpAllows,
    NoRcpAllows,
    /// The VPC endpoint the request passed through does not allow it.
    NoVpcEndpointAllows,
    IdentityPolicyAllows,
    NoIdentityPolicyAllows,
    /// An identity policy allows, but the boundary or session policy does not.
    IdentityLimited,
    Grant,
    MayRetire,
    MayNotRetire,
    NoKeyPolicy,
    KeyPolicyNamesCaller,
    /// The key policy names the caller's role (or the bare role ARN), and
    /// the boundary and session policy allow too.
    KeyPolicyNamesRole,
    DelegatedToAccount,
    CrossAccountNamesCaller,
    CrossAccountDelegated,
    CrossAccountKeyPolicySilent,
    CrossAccountIdentitySilent,
    KeyPolicySilentIdentityAllows,
    KeyPolicySilent,
    DelegatedIdentitySilent,
    /// The account's root user, for an action with no key resource.
    RootUser,
    /// The key policy names the caller's role, but its boundary or the
    /// session policy does not allow the action.
    RoleStatementLimited,
    /// An unsigned request: KMS refuses it.
    Anonymous,
}

impl KeyRule {
    /// Every reason, for documentation checks.
    pub const ALL: [KeyRule; 24] = [
        KeyRule::ExplicitDeny,
        KeyRule::NoScpAllows,
        KeyRule::NoRcpAllows,
        KeyRule::NoVpcEndpointAllows,
        KeyRule::IdentityPolicyAllows,
        KeyRule::NoIdentityPolicyAllows,
        KeyRule::IdentityLimited,
        KeyRule::Grant,
        KeyRule::MayRetire,
        KeyRule::MayNotRetire,
        KeyRule::NoKeyPolicy,
        KeyRule::KeyPolicyNamesCaller,
        KeyRule::KeyPolicyNamesRole,
        KeyRule::DelegatedToAccount,
        KeyRule::CrossAccountNamesCaller,
        KeyRule::CrossAccountDelegated,
        KeyRule::CrossAccountKeyPolicySilent,
        KeyRule::CrossAccountIdentitySilent,
        KeyRule::KeyPolicySilentIdentityAllows,
        KeyRule::KeyPolicySilent,
        KeyRule::DelegatedIdentitySilent,
        KeyRule::RootUser,
        KeyRule::RoleStatementLimited,
        KeyRule::Anonymous,
    ];

    /// A stable code for suites and JSON output.
    pub const fn code(self) -> &'static str {
        match self {
            KeyRule::ExplicitDeny => "explicit-deny",
            KeyRule::NoScpAllows => "scp-implicit-deny",
            KeyRule::NoRcpAllows => "rcp-implicit-deny",
            KeyRule::NoVpcEndpointAllows => "vpc-endpoint-implicit-deny",
            KeyRule::IdentityPolicyAllows => "identity-allows",
            KeyRule::NoIdentityPolicyAllows => "identity-silent",
            KeyRule::IdentityLimited => "identity-limited",
            KeyRule::Grant => "grant",
            KeyRule::MayRetire => "may-retire",
            KeyRule::MayNotRetire => "may-not-retire",
            KeyRule::NoKeyPolicy => "no-key-policy",
            KeyRule::KeyPolicyNamesCaller => "resource-policy-names-caller",
            KeyRule::KeyPolicyNamesRole => "resource-policy-names-role",
            KeyRule::DelegatedToAccount => "resource-policy-delegates",
            KeyRule::CrossAccountNamesCaller => "cross-account-allows",
            KeyRule::CrossAccountDelegated => "cross-account-delegated",
            KeyRule::CrossAccountKeyPolicySilent => "cross-account-resource-silent",
            KeyRule::CrossAccountIdentitySilent => "cross-account-identity-silent",
            KeyRule::KeyPolicySilentIdentityAllows => "resource-policy-required",
            KeyRule::KeyPolicySilent => "nothing-allows",
            KeyRule::DelegatedIdentitySilent => "delegated-identity-silent",
            KeyRule::RootUser => "root-user",
            KeyRule::RoleStatementLimited => "resource-policy-role-limited",
            KeyRule::Anonymous => "anonymous",
        }
    }
}

/// The decision with borrowed reasons: what [`Authorizer::decide`] returns
/// without allocating. [`Authorization`] is its owned, explained form.
#[derive(Clone, Debug)]
pub struct Verdict<'p> {
    pub decision: Decision,
    pub path: Option<Path>,
    pub why: KeyRule,
    /// The permissions boundary or session policy that did not allow.
    pub limited: Option<Limited<'p>>,
    pub reasons: SmallVec<[Reason<'p>; 4]>,
    pub grant: Option<&'p Grant>,
    pub missing_context_keys: MissingKeys<'p>,
}

impl Authorizer {
    /// Decides a request and explains the decision; with `trace`, records
    /// every statement looked at.
    ///
    /// `kms:ReEncrypt` is asked as its two permissions, `kms:ReEncryptFrom`
    /// and `kms:ReEncryptTo` (here on the same key, with the same context);
    /// both must allow (§5.6).
    pub fn authorize(&self, request: &KmsRequest, trace: bool) -> Authorization {
        self.authorize_for(self.key_policy.as_ref(), &self.grants, request, trace)
    }

    /// [`Authorizer::authorize`] for a key whose policy and grants are held
    /// elsewhere (the runtime's store); this authorizer supplies the
    /// identity side and the guardrails.
    pub fn authorize_for(
        &self,
        key_policy: Option<&CompiledPolicy>,
        grants: &[Grant],
        request: &KmsRequest,
        trace: bool,
    ) -> Authorization {
        // A caller not yet given its unique id gets it here, so that
        // `aws:userid` is the accounts file's whoever built the request.
        let identified;
        let request = match self.unique_id_of(&request.caller) {
            Some(id) => {
                let mut with_id = request.clone();
                with_id.caller.unique_id = Some(id.to_owned());
                identified = with_id;
                &identified
            }
            None => request,
        };
        if request.action.eq_ignore_ascii_case("kms:ReEncrypt") {
            return self.authorize_both(key_policy, grants, request, trace);
        }
        let mut eval = request.to_eval_request();
        self.add_principal_tags(request, &mut eval);
        if let Some(organization) = &self.organization {
            organization.add_keys(&request.caller, request.key_account(), &mut eval.context);
        }
        let mut recorded = trace.then(Trace::default);
        let verdict = self.decide_for(key_policy, grants, request, &eval, recorded.as_mut());
        let mut authorization = Authorization::from(&verdict);
        if recorded.is_some() {
            authorization.grants = grants
                .iter()
                .map(|grant| GrantNote {
                    grant_id: grant.grant_id.as_ref().map(|g| g.node.clone()),
                    name: grant.name.as_ref().map(|n| n.node.clone()),
                    outcome: grant_rules::check(grant, request)
                        .map(|_| ())
                        .map_err(|why| why.describe()),
                })
                .collect();
        }
        authorization.trace = recorded;
        authorization
    }

    fn authorize_both(
        &self,
        key_policy: Option<&CompiledPolicy>,
        grants: &[Grant],
        request: &KmsRequest,
        trace: bool,
    ) -> Authorization {
        let half = |action: &str| {
            let mut half = request.clone();
            half.action = action.to_owned();
            // Without a destination context, the new ciphertext has none (§1.4).
            half.destination_encryption_context.get_or_insert_with(Default::default);
            // This model re-encrypts under the same key (§7.2).
            if !half.context.contains("kms:ReEncryptOnSameKey") {
                half.context.insert_one("kms:ReEncryptOnSameKey", "true");
            }
            self.authorize_for(key_policy, grants, &half, trace)
        };
        let from = half("kms:ReEncryptFrom");
        let to = half("kms:ReEncryptTo");
        if from.decision != Decision::Allow {
            return from;
        }
        if to.decision != Decision::Allow {
            return to;
        }
        let mut both = from;
        both.summary = format!(
            "`kms:ReEncryptFrom`: {}; `kms:ReEncryptTo`: {}",
            both.summary, to.summary
        );
        for reason in to.reasons {
            if !both.reasons.contains(&reason) {
                both.reasons.push(reason);
            }
        }
        for key in to.missing_context_keys {
            if !both.missing_context_keys.iter().any(|k| k.eq_ignore_ascii_case(&key)) {
                both.missing_context_keys.push(key);
            }
        }
        if let (Some(trace), Some(more)) = (both.trace.as_mut(), to.trace) {
            trace.entries.extend(more.entries);
        }
        both
    }

    /// Gives `caller` the unique id its user or role (a session's: its
    /// role's) was given here, unless it has one: its `aws:userid`,
    /// `GetCallerIdentity` and audit records then carry that id rather than
    /// one derived from its ARN. Each KMS decision ([`Self::authorize_for`])
    /// and audit record does this itself, as does
    /// [`crate::suite::RequestSpec::to_general_request`]; `keyward serve`
    /// does it to answer `GetCallerIdentity`.
    pub fn identify(&self, caller: &mut Caller) {
        if let Some(id) = self.unique_id_of(caller) {
            caller.unique_id = Some(id.to_owned());
        }
    }

    /// The unique id given here to `caller`'s user or role, if `caller`
    /// has none yet.
    pub fn unique_id_of(&self, caller: &Caller) -> Option<&str> {
        if caller.unique_id.is_some() {
            return None;
        }
        self.unique_ids
            .iter()
            .find(|(principal, _)| caller.owns(principal))
            .map(|(_, id)| id.as_str())
    }

    /// `aws:PrincipalTag/<key>` for the caller's tags (a session has its
    /// role's), unless the request gives them explicitly.
    pub fn add_principal_tags(&self, request: &KmsRequest, eval: &mut Request) {
        for (key, value) in self.principal_tags_of(&request.caller) {
            let name = format!("aws:PrincipalTag/{key}");
            if !request.context.contains(&name) {
                eval.context.insert_one(&name, value.clone());
            }
        }
    }

    /// The caller's principal tags: a session's session tags, then its
    /// role's (or a user's own) tags of other keys, as a session tag
    /// overrides the role tag of the same key, keys compared without case
    /// (IAM User Guide, id_session-tags.html).
    pub fn principal_tags_of<'a>(&'a self, caller: &'a Caller) -> Vec<(&'a str, &'a String)> {
        let mut tags: Vec<(&str, &String)> = caller.session_tags.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let own = self
            .principal_tags
            .iter()
            .filter(|(p, _)| caller.owns(p))
            .flat_map(|(_, t)| t);
        for (key, value) in own {
            if !caller.session_tags.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
                tags.push((key.as_str(), value));
            }
        }
        tags
    }

    /// Decides a request whose evaluator request (`eval`, from
    /// [`KmsRequest::to_eval_request`]) is already built. Allocates nothing
    /// unless tracing.
    pub fn decide<'p>(&'p self, request: &KmsRequest, eval: &Request, trace: Option<&mut Trace>) -> Verdict<'p> {
        self.decide_for(self.key_policy.as_ref(), &self.grants, request, eval, trace)
    }

    /// [`Authorizer::decide`] with the key's policy and grants given.
    pub fn decide_for<'p>(
        &'p self,
        key_policy: Option<&'p CompiledPolicy>,
        grants: &'p [Grant],
        request: &KmsRequest,
        eval: &Request,
        mut trace: Option<&mut Trace>,
    ) -> Verdict<'p> {
        let caller = &request.caller;
        // Actions with no key, and actions on an alias resource (the alias
        // half of CreateAlias, DeleteAlias, UpdateAlias), are decided by
        // identity policies alone (§5.6).
        let no_key = actions::is_iam_only(&request.action);
        let iam_only = no_key || request.resource.contains(":alias/");
        // A Deny with NotPrincipal in the key policy always applies to a
        // caller with a permissions boundary ([IAM] access_policies_boundaries.html).
        let has_boundary = self.boundaries.iter().any(|(p, _)| caller.owns(p));
        let key = match key_policy {
            Some(policy) if !iam_only => Some(Matches::of_resource_policy(
                policy,
                eval,
                has_boundary,
                trace.as_deref_mut(),
            )),
            Some(_) => {
                if let Some(trace) = trace.as_deref_mut() {
                    trace.note(if no_key {
                        GuardrailNote::ResourcePolicyNoResource
                    } else {
                        GuardrailNote::KeyPolicyNotForAlias
                    });
                }
                None
            }
            None => None,
        };
        let side = IdentitySide::of(
            &self.identity_policies,
            &self.boundaries,
            self.session_policy.as_ref(),
            eval,
            trace.as_deref_mut(),
        );
        let vpc_endpoint = self.vpc_endpoint_policy(eval, trace.as_deref_mut());
        // RCPs of the key's account; for an action with no key, those of
        // the caller's account (docs/evaluation.md).
        let guardrails = Guardrails::of(
            GuardrailPolicies {
                scps: &self.scps,
                rcps: &self.rcps,
                vpc_endpoint,
                management_account: self.management_account.as_deref(),
            },
            eval,
            ResourceFacts {
                account: request.key_account(),
                aws_managed_key: request.aws_managed_key,
            },
            trace,
        );

        let all = || key.iter().chain(side.iter()).chain(guardrails.iter());
        let mut verdict = Verdict {
            decision: Decision::ImplicitDeny,
            path: None,
            why: KeyRule::KeyPolicySilent,
            limited: None,
            reasons: SmallVec::new(),
            grant: None,
            missing_context_keys: MissingKeys::new(),
        };
        for key in all().flat_map(|m| m.missing_context_keys.iter()) {
            if !verdict.missing_context_keys.iter().any(|m| m.eq_ignore_ascii_case(key)) {
                verdict.missing_context_keys.push(key);
            }
        }

        // 1. An explicit deny anywhere is final.
        verdict.reasons.extend(all().flat_map(|m| m.denies.iter().copied()));
        if !verdict.reasons.is_empty() {
            verdict.decision = Decision::ExplicitDeny;
            verdict.why = KeyRule::ExplicitDeny;
            return verdict;
        }
        // KMS accepts only signed requests: `"Principal": "*"` means every
        // authenticated principal, never an anonymous caller.
        if caller.kind == CallerKind::Anonymous {
            verdict.why = KeyRule::Anonymous;
            return verdict;
        }
        // 2. Guardrails must allow: a grant does not bypass them either
        // ([KMS] vpce-connect.html: the endpoint policy must allow too).
        if let Some(stop) = guardrails.stop() {
            verdict.why = match stop {
                Stop::Scp => KeyRule::NoScpAllows,
                Stop::Rcp => KeyRule::NoRcpAllows,
                Stop::VpcEndpoint => KeyRule::NoVpcEndpointAllows,
            };
            return verdict;
        }
        verdict.limited = side.limited();
        let limits = Limits {
            within: verdict.limited.is_none(),
            // The root user needs no identity policy in its own account.
            identity: caller.kind == CallerKind::Root || side.allows(),
        };
        Self::allow_paths(grants, request, iam_only, key.as_ref(), &side.identity, limits, verdict)
    }

    /// The policy of the VPC endpoint the request passed through
    /// (`aws:SourceVpce`), when one was given for it. Without one, AWS's
    /// default endpoint policy allows every request.
    fn vpc_endpoint_policy<'p>(&'p self, eval: &Request, trace: Option<&mut Trace>) -> Option<&'p CompiledPolicy> {
        if self.vpc_endpoint_policies.is_empty() && trace.is_none() {
            return None;
        }
        let Some(ContextValue::One(endpoint)) = eval.context.get_folded("aws:sourcevpce") else {
            return None;
        };
        let policy = self
            .vpc_endpoint_policies
            .iter()
            .find(|(id, _)| id.eq_ignore_ascii_case(endpoint))
            .map(|(_, policy)| policy);
        if let (None, Some(trace)) = (policy, trace) {
            trace.note(GuardrailNote::VpcEndpointDefaultPolicy);
        }
        policy
    }

    /// Steps 3–5 of §5.6, once nothing denies.
    fn allow_paths<'p>(
        grants: &'p [Grant],
        request: &KmsRequest,
        iam_only: bool,
        key: Option<&Matches<'p>>,
        identity: &[Matches<'p>],
        limits: Limits,
        mut verdict: Verdict<'p>,
    ) -> Verdict<'p> {
        let identity_allows = || identity.iter().flat_map(|m| m.allows.iter().copied());
        let identity_ok = limits.identity && limits.within;
        // An identity policy allows (not merely the root user's standing),
        // but the boundary or session policy does not.
        let identity_limited = !limits.within && identity_allows().next().is_some();
        let allow = |mut verdict: Verdict<'p>, path, why| {
            verdict.decision = Decision::Allow;
            verdict.path = Some(path);
            verdict.why = why;
            verdict
        };

        if iam_only {
            // The root user holds every IAM permission of its account; only
            // guardrails (checked above) limit it.
            if request.caller.kind == CallerKind::Root {
                return allow(verdict, Path::IdentityPolicy, KeyRule::RootUser);
            }
            if identity_ok {
                verdict.reasons.extend(identity_allows());
                return allow(verdict, Path::IdentityPolicy, KeyRule::IdentityPolicyAllows);
            }
            verdict.why = if identity_limited {
                KeyRule::IdentityLimited
            } else {
                KeyRule::NoIdentityPolicyAllows
            };
            return verdict;
        }

        // 3. A grant allows on its own (an account grantee: with IAM's consent).
        let granted = grants.iter().find(|grant| {
            grant_rules::authorizes(grant, request)
                .is_some_and(|matched| matched != PrincipalMatch::Account || identity_ok)
        });
        if let Some(grant) = granted {
            verdict.grant = Some(grant);
            return allow(verdict, Path::Grant, KeyRule::Grant);
        }

        // RetireGrant is the grant's business alone: its retiring principal,
        // a grantee allowed to (above), or the issuing account; a key policy
        // allowing `kms:RetireGrant` has no effect (§6.6).
        if request.action.eq_ignore_ascii_case("kms:RetireGrant") {
            return match grants.iter().find(|g| grant_rules::may_retire(g, request, identity_ok)) {
                Some(grant) => {
                    verdict.grant = Some(grant);
                    allow(verdict, Path::Grant, KeyRule::MayRetire)
                }
                None => {
                    verdict.why = KeyRule::MayNotRetire;
                    verdict
                }
            };
        }

        // 4. The key policy, directly or by delegation to the caller's account.
        let Some(key) = key else {
            verdict.why = KeyRule::NoKeyPolicy;
            return verdict;
        };
        let direct = || {
            key.allows
                .iter()
                .copied()
                .filter(|r| r.principal.is_some_and(|p| p != PrincipalMatch::Account))
        };
        let delegated = || {
            key.allows
                .iter()
                .copied()
                .filter(|r| r.principal == Some(PrincipalMatch::Account))
        };
        let caller = &request.caller;
        // Service principals act as themselves; only callers of another
        // account need their own identity policy as well.
        let cross_account = caller.account.is_some() && caller.account.as_deref() != request.key_account();
        if !cross_account {
            // A statement naming a user or a session is not limited by
            // boundaries or session policies; one naming a role is, whether
            // the caller is a session of it or the bare role ARN ([IAM]
            // reference_policies_evaluation-logic.html, §5.6).
            let bare_role = matches!(caller.kind, CallerKind::Role { .. });
            let names_caller = !bare_role && key.allows.iter().any(|r| r.principal == Some(PrincipalMatch::Direct));
            let names_role = key.allows.iter().any(|r| {
                r.principal == Some(PrincipalMatch::Role) || (bare_role && r.principal == Some(PrincipalMatch::Direct))
            });
            if names_caller {
                verdict.reasons.extend(direct());
                return allow(verdict, Path::KeyPolicy, KeyRule::KeyPolicyNamesCaller);
            }
            if names_role && limits.within {
                verdict.reasons.extend(direct());
                return allow(verdict, Path::KeyPolicy, KeyRule::KeyPolicyNamesRole);
            }
            if delegated().next().is_some() && identity_ok {
                verdict.reasons.extend(delegated().chain(identity_allows()));
                return allow(verdict, Path::IdentityPolicy, KeyRule::DelegatedToAccount);
            }
            // As the general evaluator names them (eval::access): the role
            // statement, then the limit on an identity allow, then what is missing.
            let identity_allows = identity_allows().next().is_some();
            verdict.why = if names_role {
                KeyRule::RoleStatementLimited
            } else if identity_limited {
                KeyRule::IdentityLimited
            } else if delegated().next().is_some() {
                KeyRule::DelegatedIdentitySilent
            } else if identity_allows {
                KeyRule::KeyPolicySilentIdentityAllows
            } else {
                KeyRule::KeyPolicySilent
            };
            return verdict;
        }
        if identity_ok && direct().next().is_some() {
            verdict.reasons.extend(direct().chain(identity_allows()));
            return allow(verdict, Path::KeyPolicy, KeyRule::CrossAccountNamesCaller);
        }
        if identity_ok && delegated().next().is_some() {
            verdict.reasons.extend(delegated().chain(identity_allows()));
            return allow(verdict, Path::IdentityPolicy, KeyRule::CrossAccountDelegated);
        }
        verdict.why = if key.allows.is_empty() {
            KeyRule::CrossAccountKeyPolicySilent
        } else {
            KeyRule::CrossAccountIdentitySilent
        };
        verdict
    }
}

/// What the identity side allows, and whether the limits on it allow too.
#[derive(Clone, Copy)]
struct Limits {
    /// An identity policy allows, or the caller is the root user.
    identity: bool,
    /// The boundary and session policy (where there are any) allow.
    within: bool,
}

impl From<&Verdict<'_>> for Authorization {
    fn from(verdict: &Verdict<'_>) -> Authorization {
        let mut reasons: Vec<Cause> = verdict.reasons.iter().map(cause).collect();
        if let Some(grant) = verdict.grant {
            reasons.push(Cause {
                policy: "grant".into(),
                statement: None,
                sid: None,
                effect: Effect::Allow,
                span: Some(grant.grantee.span),
                grant_id: grant.grant_id.as_ref().map(|g| g.node.clone()),
                note: None,
            });
        }
        Authorization {
            decision: verdict.decision,
            path: verdict.path,
            why: verdict.why.code(),
            summary: summary(verdict, &reasons),
            reasons,
            missing_context_keys: verdict.missing_context_keys.iter().map(|k| (*k).to_owned()).collect(),
            trace: None,
            grants: Vec::new(),
        }
    }
}

fn summary(verdict: &Verdict<'_>, reasons: &[Cause]) -> String {
    let limit = match verdict.limited {
        None => String::new(),
        Some(Limited::Boundary(name)) => format!(" (the permissions boundary {name} does not allow it)"),
        Some(Limited::SessionPolicy(name)) => format!(" (the session policy {name} does not allow it)"),
    };
    let grant = || {
        reasons
            .iter()
            .find_map(|r| r.grant_id.clone())
            .unwrap_or_else(|| "(no id)".into())
    };
    match verdict.why {
        KeyRule::ExplicitDeny => format!("explicitly denied by {}", describe(reasons)),
        KeyRule::NoScpAllows => "no service control policy of the caller's account allows the action".into(),
        KeyRule::NoRcpAllows => "no resource control policy of the key's account allows the action".into(),
        KeyRule::NoVpcEndpointAllows => "the policy of the VPC endpoint the request passed through does not allow it".into(),
        KeyRule::IdentityPolicyAllows => "allowed by an identity policy".into(),
        KeyRule::NoIdentityPolicyAllows => "no identity policy allows this action".into(),
        KeyRule::IdentityLimited => format!("an identity policy allows, but the limit on it does not{limit}"),
        KeyRule::Grant => format!("allowed by grant {}", grant()),
        KeyRule::MayRetire => format!("the caller may retire grant {}", grant()),
        KeyRule::MayNotRetire => {
            "only a grant's retiring principal, a grantee allowed `RetireGrant`, or the issuing account may retire it; a key policy cannot allow it".into()
        }
        KeyRule::NoKeyPolicy => "no key policy was given and no grant applies".into(),
        KeyRule::KeyPolicyNamesCaller => match verdict.limited {
            None => "allowed by the key policy".into(),
            Some(Limited::Boundary(name)) => format!("allowed by the key policy, which names the caller itself: the permissions boundary {name} does not allow the action, but it does not limit a resource policy naming a user or a session"),
            Some(Limited::SessionPolicy(name)) => format!("allowed by the key policy, which names the session itself: the session policy {name} does not allow the action, but it does not limit a resource policy naming the session"),
        },
        KeyRule::KeyPolicyNamesRole => {
            "allowed by the key policy, which names the caller's role (its boundary and session policy allow too)".into()
        }
        KeyRule::DelegatedToAccount => "allowed by an identity policy; the key policy delegates to the caller's account".into(),
        KeyRule::CrossAccountNamesCaller => "allowed across accounts: the key policy names the caller and its identity policy allows".into(),
        KeyRule::CrossAccountDelegated => {
            "allowed across accounts: the key policy allows the caller's account and its identity policy allows".into()
        }
        KeyRule::CrossAccountKeyPolicySilent => "the key policy does not allow the caller or its account".into(),
        KeyRule::CrossAccountIdentitySilent => format!("across accounts the caller's identity policy must allow too, and none does{limit}"),
        KeyRule::KeyPolicySilentIdentityAllows => {
            "an identity policy allows, but the key policy neither names the caller nor delegates to its account".into()
        }
        KeyRule::KeyPolicySilent => "no statement of the key policy allows the caller, and no grant applies".into(),
        KeyRule::RootUser => "allowed: the account's root user holds every IAM permission of its account".into(),
        KeyRule::Anonymous => "KMS accepts only signed requests; an anonymous caller is never allowed".into(),
        KeyRule::RoleStatementLimited => format!("the key policy names the caller's role, but that allow is limited{limit}"),
        KeyRule::DelegatedIdentitySilent => "the key policy delegates to the caller's account, but no identity policy allows".into(),
    }
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
