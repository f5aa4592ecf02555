//! `tag-key-unsupported-by-service`: `aws:ResourceTag/…` or `aws:RequestTag/…`
//! in a statement whose actions include services that never set the key.

use super::{Check, Rule, RuleInfo};
use crate::catalog::key_matches;
use crate::lint::context::{is_allow, Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::{BaseOperator, ConditionEntry, Statement};
use crate::source::Span;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "tag-key-unsupported-by-service",
        severity: Severity::Suggestion,
        access_analyzer: Some("ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE"),
        summary: "A tag condition key is used with actions of a service that does not support it.",
        rationale: "Only the actions documented with `aws:ResourceTag/${TagKey}` or \
`aws:RequestTag/${TagKey}` put those keys in the request context. For the actions of a service that \
has none, the key is absent: a positive operator (`StringEquals`) never holds, so an `Allow` does not \
affect them and a `Deny` does not deny them; a negated operator or `…IfExists` always holds, so an \
`Allow` allows them whatever their tags. The permissive cases are reported at security level. With \
`NotAction` the statement covers services of both kinds. This covers Access Analyzer's \
ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE, \
ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE, \
DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE and \
DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE.",
        bad: r#""Effect": "Deny", "Action": ["kms:Decrypt", "cloudtrail:LookupEvents"],
"Condition": {"StringEquals": {"aws:ResourceTag/Classification": "Secret"}}"#,
        good: r#""Effect": "Deny", "Action": ["kms:Decrypt", "s3:GetObject"],
"Condition": {"StringEquals": {"aws:ResourceTag/Classification": "Secret"}}"#,
    },
    check: Check::Policy(check),
};

const TAG_KEYS: &[&str] = &["aws:ResourceTag/${TagKey}", "aws:RequestTag/${TagKey}"];

/// The service prefixes of the statement's `Action` whose matching actions
/// all lack `key`, with the spans of their patterns. Wildcard and
/// uncatalogued services are left out.
fn unsupported(cx: &PolicyCx<'_>, statement: &Statement, key: &str) -> Vec<(String, Vec<Span>)> {
    let mut found: Vec<(String, Vec<Span>)> = Vec::new();
    for pattern in statement.action.value.iter() {
        let Some((prefix, name)) = pattern.split_once(':') else {
            continue;
        };
        if prefix.contains(['*', '?']) {
            continue;
        }
        let Some(service) = cx.catalogue().service(prefix) else {
            continue;
        };
        let mut actions = service.matching(name).peekable();
        if actions.peek().is_none() || actions.any(|a| service.supports(a, key)) {
            continue;
        }
        let prefix = prefix.to_ascii_lowercase();
        match found.iter_mut().find(|(p, _)| *p == prefix) {
            Some((_, spans)) => spans.push(pattern.span),
            None => found.push((prefix, vec![pattern.span])),
        }
    }
    found
}

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        // Each tag key once per statement, at its first entry: the statement
        // holds without the key only if every entry on it does.
        let mut keys: Vec<(&ConditionEntry, bool)> = Vec::new();
        for (operator, entry) in PolicyCx::conditions(statement) {
            if operator.base == BaseOperator::Null || !TAG_KEYS.iter().any(|t| key_matches(t, &entry.key)) {
                continue;
            }
            // Whether this entry holds when the key is absent.
            let holds = operator.base.is_negated() || operator.if_exists;
            match keys.iter_mut().find(|(e, _)| e.key.eq_ignore_ascii_case(&entry.key)) {
                Some((_, all)) => *all &= holds,
                None => keys.push((entry, holds)),
            }
        }
        for (entry, holds) in keys {
            report(cx, statement, entry, holds, out);
        }
    }
}

fn report(cx: &PolicyCx<'_>, statement: &Statement, entry: &ConditionEntry, holds: bool, out: &mut Findings) {
    let key = entry.key.as_str();
    let allow = is_allow(statement);
    let effect = match (allow, holds) {
        (true, false) => "not allowed",
        (true, true) => "allowed whatever their tags",
        (false, false) => "not denied",
        (false, true) => "denied whatever their tags",
    };
    let finding = if statement.action.negated {
        RULE.info
            .finding(
                entry.key.span,
                format!("with `NotAction`, actions of services without `{key}` are {effect} by this statement"),
            )
            .label("not every service sets this key")
            .also(statement.action.span, "covers services without the key")
    } else {
        let services = unsupported(cx, statement, key);
        if services.is_empty() {
            return;
        }
        let names: Vec<&str> = services.iter().map(|(p, _)| p.as_str()).collect();
        let message = format!(
            "`{key}` is never set for actions of {}: they are {effect} by this statement",
            crate::policy::suggest::list(&names)
        );
        let mut finding = RULE
            .info
            .finding(entry.key.span, message)
            .label("unsupported by some services");
        for span in services.iter().flat_map(|(_, spans)| spans) {
            finding = finding.also(*span, "this service lacks the key");
        }
        finding
    };
    let finding = finding.help("give the actions of services without the key a statement of their own");
    // Allowing regardless of tags, or not denying, is overly permissive.
    let code = match (allow, statement.action.negated) {
        (true, false) => "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
        (true, true) => "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
        (false, false) => "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
        (false, true) => "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
    };
    let finding = finding.issue_code(code);
    out.push(if allow == holds {
        finding.severity(Severity::Security)
    } else {
        finding
    });
}
