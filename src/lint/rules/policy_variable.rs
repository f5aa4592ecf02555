//! `policy-variable`: a malformed policy variable (`${aws:username`,
//! `${}`, a default without quotes), a variable where IAM does not
//! substitute one (`Action`, `Principal`), or variables under the 2008
//! policy language, where they are plain text.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{principals, Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::Version;
use crate::source::Spanned;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "policy-variable",
        severity: Severity::Error,
        access_analyzer: Some("MISSING_BRACE_IN_VARIABLE"),
        summary: "A policy variable is malformed, misplaced or not substituted.",
        rationale: "IAM substitutes `${key}` and `${key, 'default'}` in `Resource` and condition values, and \
only under `\"Version\": \"2012-10-17\"`. A missing `}`, an empty `${}`, a space in the key, a default \
without single quotes, a variable in `Action` or `Principal`, or any variable under the 2008 language is \
compared as literal text, so the statement matches nothing it was meant to (Access Analyzer: \
MISSING_BRACE_IN_VARIABLE, EMPTY_VARIABLE, UNSUPPORTED_SPACE_IN_VARIABLE, MISSING_QUOTE_IN_VARIABLE, \
VARIABLE_UNSUPPORTED_IN_ELEMENT, VARIABLE_UNSUPPORTED_IN_VERSION).",
        bad: r#""Resource": "arn:aws:s3:::home/${aws:username""#,
        good: r#""Resource": "arn:aws:s3:::home/${aws:username}""#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    let current = cx
        .policy
        .version
        .as_ref()
        .is_some_and(|v| v.node == Version::V2012_10_17);
    for statement in cx.statements() {
        for action in statement.action.value.iter().filter(|a| a.contains("${")) {
            out.push(misplaced(action, "`Action`"));
        }
        for (_, id) in principals(statement).into_iter().filter(|(_, id)| id.contains("${")) {
            out.push(misplaced(id, "`Principal`"));
        }
        let resources = statement.resource.iter().flat_map(|r| r.value.iter());
        let values = PolicyCx::conditions(statement)
            .flat_map(|(_, e)| e.values.iter())
            .filter_map(|v| match &v.node {
                crate::policy::Scalar::String(s) => Some(Spanned::new(s.clone(), v.span)),
                _ => None,
            });
        for value in resources.cloned().chain(values) {
            if !value.contains("${") {
                continue;
            }
            if let Some(problem) = malformed(&value) {
                out.push(
                    RULE.info
                        .finding(value.span, format!("`{}`: {problem}", value.node))
                        .label("compared as plain text")
                        .help("write `${key}` or `${key, 'default'}`, such as `${aws:username}`")
                        .issue_code(malformed_code(problem)),
                );
            } else if !current {
                out.push(
                    RULE.info
                        .finding(
                            value.span,
                            format!("`{}` is plain text under the 2008 policy language", value.node),
                        )
                        .label("not substituted")
                        .help("add `\"Version\": \"2012-10-17\"` to the policy")
                        .issue_code("VARIABLE_UNSUPPORTED_IN_VERSION"),
                );
            }
        }
    }
}

fn misplaced(value: &Spanned<String>, element: &str) -> crate::lint::Finding {
    RULE.info
        .finding(value.span, format!("policy variables are not substituted in {element}"))
        .label("compared as plain text")
        .help("variables work in `Resource` and in condition values only")
        .issue_code("VARIABLE_UNSUPPORTED_IN_ELEMENT")
}

/// Access Analyzer's code for each of [`malformed`]'s problems.
fn malformed_code(problem: &str) -> &'static str {
    if problem.contains("closing") {
        "MISSING_BRACE_IN_VARIABLE"
    } else if problem.contains("empty") {
        "EMPTY_VARIABLE"
    } else if problem.contains("spaces") {
        "UNSUPPORTED_SPACE_IN_VARIABLE"
    } else {
        "MISSING_QUOTE_IN_VARIABLE"
    }
}

/// What is wrong with the first malformed variable of a value, if any.
fn malformed(value: &str) -> Option<&'static str> {
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Some("the variable has no closing `}`");
        };
        let inner = &after[..end];
        if matches!(inner, "*" | "?" | "$") {
            rest = &after[end + 1..];
            continue;
        }
        let (name, default) = match inner.split_once(',') {
            Some((name, default)) => (name, Some(default.trim())),
            None => (inner, None),
        };
        if name.trim().is_empty() {
            return Some("the variable is empty");
        }
        if name.trim() != name || name.contains(' ') {
            return Some("a variable name cannot contain spaces");
        }
        if let Some(default) = default {
            if default.len() < 2 || !default.starts_with('\'') || !default.ends_with('\'') {
                return Some("a variable's default value must be in single quotes");
            }
        }
        rest = &after[end + 1..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::malformed;

    #[test]
    fn well_formed_variables_and_their_mistakes() {
        assert_eq!(malformed("home/${aws:username}/*"), None);
        assert_eq!(malformed("${aws:PrincipalTag/team, 'company-wide'}"), None);
        assert_eq!(malformed("a${*}b${?}${$}"), None);
        assert!(malformed("home/${aws:username").is_some());
        assert!(malformed("${}").is_some());
        assert!(malformed("${aws:user name}").is_some());
        assert!(malformed("${aws:username, default}").is_some());
    }
}
