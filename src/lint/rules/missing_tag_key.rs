//! `missing-tag-key`: a tag condition key written without its tag key
//! (`aws:ResourceTag` for `aws:ResourceTag/Project`).

use super::{Check, Rule, RuleInfo};
use crate::catalog;
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "missing-tag-key",
        severity: Severity::Error,
        access_analyzer: Some("MISSING_TAG_KEY_IN_CONDITION"),
        summary: "A tag condition key does not name the tag.",
        rationale: "`aws:ResourceTag/${TagKey}`, `aws:RequestTag/${TagKey}`, `aws:PrincipalTag/${TagKey}` \
and service keys such as `ec2:ResourceTag/${TagKey}` take the tag's key after the `/`. Written without \
it (`aws:ResourceTag`, `aws:ResourceTag/`), the key is never in the request context, so the condition \
never holds as written. Name the tag, e.g. `aws:ResourceTag/Project`.",
        bad: r#""Condition": {"StringEquals": {"aws:ResourceTag": "Project=Alpha"}}"#,
        good: r#""Condition": {"StringEquals": {"aws:ResourceTag/Project": "Alpha"}}"#,
    },
    check: Check::Policy(check),
};

/// The documented tag key (`aws:ResourceTag/${TagKey}`) that `key` is
/// missing the tag key of, if it is one.
pub fn tag_template(key: &str) -> Option<&'static str> {
    let base = key.strip_suffix('/').unwrap_or(key);
    if base.contains('/') {
        return None;
    }
    let (name, _) = catalog::get().key(&format!("{base}/TagKey"))?;
    name.contains("Tag/${").then_some(name)
}

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        for (_, entry) in PolicyCx::conditions(statement) {
            let Some(template) = tag_template(&entry.key) else {
                continue;
            };
            out.push(
                RULE.info
                    .finding(entry.key.span, format!("`{}` must include a tag key", entry.key.node))
                    .label("no tag key")
                    .help(format!(
                        "write `{template}` with the tag's key, e.g. `{}/Project`",
                        template.split("/${").next().unwrap_or(template)
                    )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_keys_without_the_tag_are_recognised() {
        assert_eq!(tag_template("aws:ResourceTag"), Some("aws:ResourceTag/${TagKey}"));
        assert_eq!(tag_template("AWS:requesttag/"), Some("aws:RequestTag/${TagKey}"));
        assert!(tag_template("ec2:ResourceTag").is_some());
        assert_eq!(tag_template("aws:ResourceTag/Project"), None);
        assert_eq!(tag_template("kms:CallerAccount"), None);
    }
}
