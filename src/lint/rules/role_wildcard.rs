//! The pass-role and create-SLR families of Access Analyzer checks: an
//! `Allow` statement reaches an IAM action for every role, through `*` in
//! the action and/or the resource, `NotAction` or `NotResource`. Access
//! Analyzer names six variants of each and reports each variant once per
//! policy; a condition on the family's limiting key (`iam:PassedToService`,
//! `iam:AWSServiceName`) answers the check.

use crate::lint::context::{covers_action, is_allow, Findings, PolicyCx};
use crate::lint::rules::RuleInfo;
use crate::policy::Statement;
use crate::source::Span;

/// One family: its action, the key that limits it and its six codes in the
/// order of [`Reach`].
pub struct Family {
    pub action: &'static str,
    pub limiting_key: &'static str,
    pub codes: [&'static str; 6],
    /// Is a resource ARN pattern wide enough to name every role?
    pub wide: fn(&str) -> bool,
}

/// How a statement reaches every role; the index into [`Family::codes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    NotResource,
    StarInActionAndNotResource,
    NotActionAndNotResource,
    StarInResource,
    StarInActionAndResource,
    StarInResourceAndNotAction,
}

fn reach(family: &Family, statement: &Statement) -> Option<(Reach, Span)> {
    if !is_allow(statement) || !covers_action(statement, family.action) {
        return None;
    }
    let limited = PolicyCx::conditions(statement).any(|(_, e)| e.key.eq_ignore_ascii_case(family.limiting_key));
    let resource = statement.resource.as_ref()?;
    if limited {
        return None;
    }
    let not_action = statement.action.negated;
    let named = !not_action
        && statement
            .action
            .value
            .iter()
            .any(|a| a.eq_ignore_ascii_case(family.action));
    let reach = if resource.negated {
        match (not_action, named) {
            (true, _) => Reach::NotActionAndNotResource,
            (false, true) => Reach::NotResource,
            (false, false) => Reach::StarInActionAndNotResource,
        }
    } else if resource.value.iter().any(|r| (family.wide)(r)) {
        match (not_action, named) {
            (true, _) => Reach::StarInResourceAndNotAction,
            (false, true) => Reach::StarInResource,
            (false, false) => Reach::StarInActionAndResource,
        }
    } else {
        return None;
    };
    Some((reach, resource.span))
}

/// One finding per variant the policy shows, at its first statement, with
/// the others as further labels.
pub fn check(cx: &PolicyCx<'_>, family: &Family, rule: &RuleInfo, message: &str, help: &str, out: &mut Findings) {
    let mut found: Vec<(Reach, Span, Span)> = cx
        .statements()
        .filter_map(|s| reach(family, s).map(|(r, span)| (r, span, s.action.span)))
        .collect();
    found.sort_by_key(|(r, span, _)| (*r, span.start));
    let mut i = 0;
    while let Some(&(variant, span, action)) = found.get(i) {
        let code = family.codes[variant as usize];
        let mut finding = rule
            .finding(span, format!("{message} ({code})"))
            .issue_code(code)
            .label("every role")
            .also(action, format!("includes `{}`", family.action))
            .help(help);
        i += 1;
        while let Some(&(_, span, _)) = found.get(i).filter(|(r, _, _)| *r == variant) {
            finding = finding.also(span, "and here");
            i += 1;
        }
        out.push(finding);
    }
}
