//! `forallvalues-single-valued-key`: `ForAllValues:` on a key that has one
//! value, which also matches requests that lack the key.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{is_allow, Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::SetQualifier;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "forallvalues-single-valued-key",
        severity: Severity::Security,
        access_analyzer: Some("FORALLVALUES_WITH_SINGLE_VALUED_KEY"),
        summary: "`ForAllValues:` is used with a single-valued condition key.",
        rationale: "`ForAllValues:` is true when the request has no value for the key, so an Allow with it also \
allows requests without the key: for `kms:EncryptionContext:<k>` that means any request without that context \
pair. AWS KMS refuses such a key policy (`OverlyPermissiveCondition`), so in a key policy it is an error.",
        bad: r#""Condition": {"ForAllValues:StringEquals": {"kms:EncryptionContext:Dept": "IT"}}"#,
        good: r#""Condition": {"StringEquals": {"kms:EncryptionContext:Dept": "IT"}}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        for (operator, entry) in PolicyCx::conditions(statement) {
            if operator.qualifier != Some(SetQualifier::ForAllValues) {
                continue;
            }
            let Some((name, info)) = cx.catalogue().key(&entry.key) else {
                continue;
            };
            if info.multi_valued {
                continue;
            }
            let refused = cx.is_key_policy()
                && (name.starts_with("kms:EncryptionContext:") || name.starts_with("aws:RequestTag/"));
            let mut finding = RULE
                .info
                .finding(
                    operator.span,
                    format!("`ForAllValues:` with the single-valued key `{}`", entry.key.node),
                )
                .label("also true when the key is absent")
                .also(entry.key.span, "single-valued")
                .help(format!("remove `ForAllValues:` and write `{}`", operator.base.as_str()));
            if refused {
                finding = finding
                    .severity(Severity::Error)
                    .help(format!(
                        "AWS KMS refuses this key policy (OverlyPermissiveCondition); remove `ForAllValues:` and write `{}`",
                        operator.base.as_str()
                    ));
            } else if !is_allow(statement) {
                finding = finding.severity(Severity::Warning);
            }
            out.push(finding);
        }
    }
}
