//! `missing-account-principal`: the key policy has no statement that allows
//! the key's account (`arn:aws:iam::<account>:root`) to manage the key.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{account_principal, covers_action, is_allow, principals, Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::PrincipalKind;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "missing-account-principal",
        severity: Severity::Warning,
        access_analyzer: None,
        summary: "No statement allows the account principal to manage the key.",
        rationale: "The default key policy allows `kms:*` to the account (`arn:aws:iam::<account>:root`). That \
statement lets IAM policies grant access and keeps the root user able to recover the key. Without it, \
the key is manageable only by the principals named in the policy: delete those roles and the key is \
locked out. Keep the account statement unless you mean to give that up.",
        bad: r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyAdmin"},
 "Action": "kms:*", "Resource": "*"}"#,
        good: r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
 "Action": "kms:*", "Resource": "*"}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if !cx.is_key_policy() {
        return;
    }
    let has_account_statement = cx.statements().any(|s| {
        is_allow(s)
            && covers_action(s, "kms:PutKeyPolicy")
            && principals(s)
                .iter()
                .any(|(kind, id)| *kind == PrincipalKind::Aws && account_principal(id).is_some())
    });
    if !has_account_statement {
        out.push(
            RULE.info
                .finding(cx.statement_key(), "no statement allows the account principal to manage this key")
                .label("no `arn:aws:iam::<account>:root` statement with `kms:PutKeyPolicy` in here")
                .help("add the default statement: `{\"Sid\": \"Enable IAM User Permissions\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::<account>:root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}`"),
        );
    }
}
