//! `key-lockout`: no principal named in the key policy (nor the account's
//! root user) would be allowed `kms:PutKeyPolicy`, so the key can never be
//! managed again. Decided with the evaluator, as KMS's own safety check is.

use super::{Check, Rule, RuleInfo};
use crate::eval::{evaluate_traced, Caller, CompiledPolicy, Decision, Outcome, Trace};
use crate::kms::KmsRequest;
use crate::lint::context::{account_principal, covers_action, principals, Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::{Effect, Policy, PrincipalKind};
use crate::source::Span;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "key-lockout",
        severity: Severity::Error,
        access_analyzer: None,
        summary: "Nobody named in the key policy could ever change it again.",
        rationale: "A key policy is the only way into a KMS key. When no principal it names — nor the account's \
root user — is allowed `kms:PutKeyPolicy`, the key is unmanageable and only AWS Support can restore access. \
KMS refuses such a policy unless `BypassPolicyLockoutSafetyCheck` is set. The linter asks the evaluator \
whether each named principal (and each named account's root user) may call `kms:PutKeyPolicy`; a statement \
whose condition depends on request facts the linter cannot know counts as allowing.",
        bad: r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"},
 "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}"#,
        good: r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
 "Action": "kms:*", "Resource": "*"}"#,
    },
    check: Check::Policy(check),
};

const DEFAULT_ACCOUNT: &str = "111122223333";

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if !cx.is_key_policy() {
        return;
    }
    if plainly_manageable(cx.policy) {
        return;
    }
    let compiled = cx.compiled;
    let callers = callers(cx.policy);
    let account = callers
        .iter()
        .find_map(|c| c.account.clone())
        .unwrap_or_else(|| DEFAULT_ACCOUNT.to_owned());
    let key = format!("arn:aws:kms:us-east-1:{account}:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    let mut denying: Vec<Span> = Vec::new();
    for caller in &callers {
        match may_put_key_policy(compiled, caller, &key) {
            Ok(()) => return,
            Err(spans) => denying.extend(spans),
        }
    }
    denying.sort_unstable();
    denying.dedup();
    let mut finding = RULE.info
        .finding(cx.statement_key(), "no principal in this key policy may call `kms:PutKeyPolicy`: the key would be locked out")
        .label("no statement lets anyone manage the key")
        .help("keep a statement that allows `kms:*` (or at least `kms:PutKeyPolicy`) to the account, `arn:aws:iam::<account>:root`, or to a key administrator");
    for span in denying {
        finding = finding.also(span, "this Deny blocks `kms:PutKeyPolicy`");
    }
    out.push(finding);
}

/// The common case, decided without the evaluator: no `Deny` at all, and an
/// unconditional `Allow` of `kms:PutKeyPolicy` on `*` to a named AWS principal.
fn plainly_manageable(policy: &Policy) -> bool {
    let no_deny = policy.statements.iter().all(|s| s.effect.node == Effect::Allow);
    no_deny
        && policy.statements.iter().any(|s| {
            s.condition.is_none()
                && covers_action(s, "kms:PutKeyPolicy")
                && s.resource
                    .as_ref()
                    .is_some_and(|r| !r.negated && r.value.iter().any(|v| v.as_str() == "*"))
                && principals(s)
                    .iter()
                    .any(|(kind, id)| *kind == PrincipalKind::Aws && id.as_str() != "*")
        })
}

/// Each AWS principal the policy names, as a caller (a role as one of its
/// sessions), and the root user of each account named.
fn callers(policy: &Policy) -> Vec<Caller> {
    let mut ids: Vec<String> = Vec::new();
    for statement in &policy.statements {
        for (kind, id) in principals(statement) {
            if kind != PrincipalKind::Aws || id.as_str() == "*" {
                continue;
            }
            let account = account_principal(id).map(str::to_owned).or_else(|| {
                crate::eval::value::arn_account(id)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned)
            });
            if let Some(account) = account {
                ids.push(format!("arn:aws:iam::{account}:root"));
            }
            ids.push(as_caller(id));
        }
    }
    if ids.is_empty() {
        ids.push(format!("arn:aws:iam::{DEFAULT_ACCOUNT}:root"));
    }
    ids.sort();
    ids.dedup();
    ids.iter().filter_map(|id| Caller::parse(id).ok()).collect()
}

/// A role principal calls as a session of the role.
fn as_caller(id: &str) -> String {
    let parts: Vec<&str> = id.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, "iam", "", account, resource] if resource.starts_with("role/") => {
            let name = resource.rsplit('/').next().unwrap_or(resource);
            format!("arn:{partition}:sts::{account}:assumed-role/{name}/keyward-lint")
        }
        _ => id.to_owned(),
    }
}

/// `Ok` when the caller may (or, depending on facts only a real request
/// has, might) call `kms:PutKeyPolicy`; otherwise the Deny statements that
/// stopped it.
fn may_put_key_policy(policy: &CompiledPolicy, caller: &Caller, key: &str) -> Result<(), Vec<Span>> {
    let mut request = KmsRequest::new(caller.clone(), "kms:PutKeyPolicy", key);
    request.context.insert_one("kms:PolicyName", "default");
    let mut trace = Trace::default();
    let response = evaluate_traced(policy, &request.to_eval_request(), &mut trace);
    match response.decision {
        Decision::Allow => Ok(()),
        Decision::ExplicitDeny => Err(response.reasons.iter().map(|r| r.span).collect()),
        Decision::ImplicitDeny => {
            let undecided = trace.entries.iter().any(|e| {
                e.effect == Effect::Allow && matches!(&e.outcome, Outcome::ConditionFailed(failure) if failure.missing)
            });
            if undecided {
                Ok(())
            } else {
                Err(Vec::new())
            }
        }
    }
}
