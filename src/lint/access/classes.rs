//! Every way a resource can stand to a set of ARN patterns. Two resources
//! that the same patterns match get the same decision from every statement
//! (up to conditions), so one witness ARN per achievable set of matching
//! patterns stands for all resources. The witnesses come from walking the
//! product of the patterns' automata component by component (a `*` never
//! crosses the `:` between the first six ARN components, as in
//! [`crate::eval::ArnPattern`]), so none is missed: `arn:aws:s3:::b/x*`
//! and `arn:aws:s3:::b/*y` give `b/xy` (both), `b/x` (the first only),
//! `b/y` (the second only) and one matched by neither.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

use crate::eval::glob::{wild, Unit};
use crate::eval::{arn_components, ArnPattern, Context};

/// The resource when no pattern names one.
const OUTSIDER: &str = "arn:aws:zzz:us-east-1:999999999999:zzz/zzz-outsider";

/// Beyond these, the walk gives up and the check cannot decide.
const MAX_STATES: usize = 50_000;
const MAX_CLASSES: usize = 20_000;

/// Why the classes could not be listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooMany;

/// One resource pattern: its text and whether it holds a policy variable
/// (matched per request: its `${…}` reads as `*` here, and the symbolic
/// check treats its match as open).
pub struct ResourcePattern {
    pub text: String,
    pub template: bool,
}

/// The glob of one ARN component; a template's `${…}` becomes `*`.
fn units(component: &str, template: bool) -> Vec<Unit> {
    if !template {
        return wild(component).collect();
    }
    let mut out = Vec::new();
    let mut rest = component;
    while let Some(start) = rest.find("${") {
        out.extend(wild(&rest[..start]));
        out.push(Unit::Any);
        rest = rest[start..].find('}').map_or("", |end| &rest[start + end + 1..]);
    }
    out.extend(wild(rest));
    out
}

/// Positions of the glob reachable after a `*` that matches nothing.
fn close(glob: &[Unit], state: &mut [bool]) {
    for i in 0..glob.len() {
        if state[i] && glob[i] == Unit::Any {
            state[i + 1] = true;
        }
    }
}

/// One witness for each achievable signature (which globs match) of the
/// strings over any characters, without `:` unless `colon`.
fn component_classes(globs: &[Vec<Unit>], colon: bool) -> Result<BTreeMap<Vec<bool>, String>, TooMany> {
    let offsets: Vec<usize> = globs
        .iter()
        .scan(0, |at, g| {
            let start = *at;
            *at += g.len() + 1;
            Some(start)
        })
        .collect();
    let width = globs.iter().map(|g| g.len() + 1).sum();
    // Characters the globs name, and one they do not: every other
    // character behaves as that one.
    let mut alphabet: BTreeSet<char> = globs
        .iter()
        .flatten()
        .filter_map(|u| match u {
            Unit::Char(c) => Some(*c),
            _ => None,
        })
        .collect();
    if !colon {
        alphabet.remove(&':');
    }
    if let Some(fresh) = ('a'..='z').chain('0'..='9').find(|c| !alphabet.contains(c)) {
        alphabet.insert(fresh);
    }
    let mut start = vec![false; width];
    for (glob, &at) in globs.iter().zip(&offsets) {
        start[at] = true;
        close(glob, &mut start[at..at + glob.len() + 1]);
    }
    let mut seen: HashSet<Vec<bool>> = HashSet::from([start.clone()]);
    let mut queue = VecDeque::from([(start, String::new())]);
    let mut classes = BTreeMap::new();
    while let Some((state, witness)) = queue.pop_front() {
        let signature: Vec<bool> = globs.iter().zip(&offsets).map(|(g, &at)| state[at + g.len()]).collect();
        classes.entry(signature).or_insert_with(|| witness.clone());
        for &c in &alphabet {
            let mut next = vec![false; width];
            for (glob, &at) in globs.iter().zip(&offsets) {
                for (i, unit) in glob.iter().enumerate() {
                    if !state[at + i] {
                        continue;
                    }
                    match unit {
                        Unit::Any => next[at + i] = true,
                        Unit::One => next[at + i + 1] = true,
                        Unit::Char(d) if *d == c => next[at + i + 1] = true,
                        Unit::Char(_) => {}
                    }
                }
                close(glob, &mut next[at..at + glob.len() + 1]);
            }
            if seen.insert(next.clone()) {
                if seen.len() > MAX_STATES {
                    return Err(TooMany);
                }
                let mut longer = witness.clone();
                longer.push(c);
                queue.push_back((next, longer));
            }
        }
    }
    Ok(classes)
}

/// One resource per class of resources the patterns cannot tell apart,
/// keeping those that match one of `only` when it is not empty.
pub fn resources(patterns: &[ResourcePattern], only: &[String]) -> Result<Vec<String>, TooMany> {
    let mut arns: Vec<[Vec<Unit>; 6]> = Vec::new();
    let mut out: BTreeSet<String> = BTreeSet::new();
    let written = patterns
        .iter()
        .map(|p| (p.text.as_str(), p.template))
        .chain(only.iter().map(|o| (o.as_str(), false)));
    for (text, template) in written {
        if text == "*" {
            continue;
        }
        match arn_components(text) {
            Some(parts) => arns.push(std::array::from_fn(|k| units(parts[k], template && k == 5))),
            // Not an ARN: it matches only itself.
            None => {
                out.insert(text.to_owned());
            }
        }
    }
    // Per component, the distinct globs and the classes over them.
    let mut tuples: BTreeMap<Vec<bool>, Vec<String>> = BTreeMap::from([(vec![true; arns.len()], Vec::new())]);
    for k in 0..6 {
        let mut distinct: Vec<Vec<Unit>> = arns.iter().map(|a| a[k].clone()).collect();
        distinct.sort_by_key(|g| format!("{g:?}"));
        distinct.dedup();
        let index: Vec<usize> = arns
            .iter()
            .map(|a| distinct.iter().position(|g| *g == a[k]).unwrap_or_default())
            .collect();
        let classes = component_classes(&distinct, k == 5)?;
        let mut next = BTreeMap::new();
        for (signature, parts) in &tuples {
            for (local, witness) in &classes {
                let combined: Vec<bool> = signature.iter().zip(&index).map(|(s, &i)| *s && local[i]).collect();
                next.entry(combined).or_insert_with(|| {
                    let mut parts = parts.clone();
                    parts.push(witness.clone());
                    parts
                });
            }
            if next.len() > MAX_CLASSES {
                return Err(TooMany);
            }
        }
        tuples = next;
    }
    if arns.is_empty() {
        out.insert(OUTSIDER.to_owned());
    } else {
        out.extend(tuples.into_values().map(|parts| parts.join(":")));
    }
    if !only.is_empty() {
        let wanted: Vec<ArnPattern> = only.iter().map(|o| ArnPattern::compile(o, false)).collect();
        out.retain(|r| wanted.iter().any(|w| w.matches(r, &Context::new())));
    }
    // ARNs first, shortest first: they make the clearest counterexamples.
    let mut out: Vec<String> = out.into_iter().collect();
    out.sort_by(|a, b| (!a.starts_with("arn:"), a.len(), a).cmp(&(!b.starts_with("arn:"), b.len(), b)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(texts: &[&str]) -> Vec<ResourcePattern> {
        texts
            .iter()
            .map(|t| ResourcePattern {
                text: (*t).to_owned(),
                template: false,
            })
            .collect()
    }

    fn signature(resource: &str, patterns: &[&str]) -> Vec<bool> {
        patterns
            .iter()
            .map(|p| ArnPattern::compile(p, false).matches(resource, &Context::new()))
            .collect()
    }

    #[test]
    fn shifted_wildcards_give_every_combination_of_matches() {
        let patterns = ["arn:aws:s3:::b/x*", "arn:aws:s3:::b/*y"];
        let found = resources(&plain(&patterns), &[]).unwrap();
        let signatures: BTreeSet<Vec<bool>> = found.iter().map(|r| signature(r, &patterns)).collect();
        let all: BTreeSet<Vec<bool>> = [[false, false], [false, true], [true, false], [true, true]]
            .iter()
            .map(|s| s.to_vec())
            .collect();
        assert_eq!(signatures, all, "{found:?}");
    }

    #[test]
    fn a_wildcard_never_crosses_a_component_boundary() {
        let patterns = ["arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:*:key/*"];
        let found = resources(&plain(&patterns), &[]).unwrap();
        for resource in &found {
            assert!(
                arn_components(resource).is_some() || !resource.starts_with("arn:"),
                "{resource}"
            );
        }
        let signatures: BTreeSet<Vec<bool>> = found.iter().map(|r| signature(r, &patterns)).collect();
        assert_eq!(signatures.len(), 4, "{found:?}");
    }

    #[test]
    fn only_resources_matching_the_asked_ones_are_kept() {
        let only = vec!["arn:aws:s3:::b/a*".to_owned()];
        let found = resources(&plain(&["arn:aws:s3:::b/*y"]), &only).unwrap();
        assert!(
            found.iter().any(|r| signature(r, &["arn:aws:s3:::b/*y"]) == [true]),
            "{found:?}"
        );
        assert!(found.iter().all(|r| r.starts_with("arn:aws:s3:::b/a")), "{found:?}");
    }

    #[test]
    fn a_policy_variable_reads_as_any_text() {
        let patterns = [ResourcePattern {
            text: "arn:aws:iam::*:user/${aws:username}".to_owned(),
            template: true,
        }];
        let found = resources(&patterns, &[]).unwrap();
        assert!(found.iter().any(|r| r.contains(":user/")), "{found:?}");
    }

    #[test]
    fn text_that_is_not_an_arn_stands_for_itself() {
        let found = resources(&plain(&["not-an-arn", "*"]), &[]).unwrap();
        assert!(found.contains(&"not-an-arn".to_owned()));
    }
}
