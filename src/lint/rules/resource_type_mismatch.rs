//! `resource-type-mismatch`: an action named in a statement whose resources
//! can be none of the action's resource types, so the statement never
//! applies to that action.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::suggest;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "resource-type-mismatch",
        severity: Severity::Warning,
        access_analyzer: None,
        summary: "A named action cannot apply to any resource the statement lists.",
        rationale: "Each action is authorized on resources of given types (`kms:Decrypt` on a `key`, \
`s3:GetObject` on an `object`), and KMS actions without a resource type (`kms:ListAliases`, `kms:CreateKey`) \
only on `*`. When none of a statement's resources can be of the action's types, the statement never \
applies to that action. Only actions named one by one are checked (a wildcard stands for actions the \
author did not list), a resource matching any one type of an action that needs several is accepted, and \
key policies, whose `Resource` is the key, are left to `key-policy-resource`. parliament reports this as \
RESOURCE_MISMATCH.",
        bad: r#"{"Effect": "Allow", "Action": "kms:ListAliases",
 "Resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}"#,
        good: r#"{"Effect": "Allow", "Action": "kms:ListAliases", "Resource": "*"}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if cx.is_key_policy() {
        return;
    }
    for statement in cx.statements() {
        let Some(resource) = &statement.resource else {
            continue;
        };
        if statement.action.negated || resource.negated || resource.value.iter().any(|r| r.as_str() == "*") {
            continue;
        }
        for action in statement.action.value.iter() {
            let Some((prefix, name)) = action.split_once(':') else {
                continue;
            };
            if action.contains(['*', '?']) {
                continue;
            }
            let Some(service) = cx.catalogue().service(prefix) else {
                continue;
            };
            let Some(entry) = service.action(name) else {
                continue;
            };
            let templates: Vec<&str> = entry
                .resource_types
                .iter()
                .filter_map(|t| service.resources.get(t).map(String::as_str))
                .collect();
            if templates.len() != entry.resource_types.len() {
                continue; // a type without a documented ARN format: nothing to compare
            }
            // Without a resource type, what the request names as its resource
            // is documented only for KMS (`*`: reference §5.1, §5.6); older S3
            // and IAM examples scope such actions with ARNs that work.
            if templates.is_empty() && !prefix.eq_ignore_ascii_case("kms") {
                continue;
            }
            let fits = resource
                .value
                .iter()
                .any(|r| templates.iter().any(|t| globs_intersect(&as_glob(t), &as_glob(r))));
            if fits {
                continue;
            }
            let finding = if templates.is_empty() {
                RULE.info
                    .finding(
                        action.span,
                        format!(
                            "`{}` takes no resource: only `\"Resource\": \"*\"` allows it",
                            action.node
                        ),
                    )
                    .label("never allowed by this statement")
                    .also(resource.span, "specific resources")
                    .help(format!(
                        "move `{}` to a statement with `\"Resource\": \"*\"`",
                        action.node
                    ))
            } else {
                let types: Vec<&str> = entry.resource_types.iter().map(String::as_str).collect();
                RULE.info
                    .finding(
                        action.span,
                        format!(
                            "`{}` acts on {}, and no resource here can be one",
                            action.node,
                            suggest::list(&types)
                        ),
                    )
                    .label("never allowed by this statement")
                    .also(resource.span, "none of its resource types")
                    .help(super::names::per_catalogue(format!(
                        "add a resource like `{}`",
                        templates.iter().min_by_key(|t| t.len()).unwrap_or(&"")
                    )))
            };
            out.push(finding);
        }
    }
}

/// An ARN or ARN format as a glob: `${…}` (a placeholder or a policy
/// variable) stands for any text.
pub(super) fn as_glob(text: &str) -> Vec<char> {
    let mut glob = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        glob.extend(rest[..start].chars());
        glob.push('*');
        rest = rest[start..].find('}').map_or("", |end| &rest[start + end + 1..]);
    }
    glob.extend(rest.chars());
    glob
}

/// Is there a text both globs (`*` any run, `?` one character) match?
/// Characters compare without case.
pub(super) fn globs_intersect(a: &[char], b: &[char]) -> bool {
    // reach[(i, j)]: some text takes `a[..i]` and `b[..j]` to the same point.
    let (n, m) = (a.len(), b.len());
    let mut table = vec![false; (n + 1) * (m + 1)];
    let mut reach = Grid {
        cells: &mut table,
        width: m + 1,
    };
    reach[(0, 0)] = true;
    for i in 0..=n {
        for j in 0..=m {
            if !reach[(i, j)] {
                continue;
            }
            // A `*` may match nothing.
            if i < n && a[i] == '*' {
                reach[(i + 1, j)] = true;
            }
            if j < m && b[j] == '*' {
                reach[(i, j + 1)] = true;
            }
            // One character of text, consumed by both.
            if i < n && j < m {
                let same = a[i] == '?' || b[j] == '?' || a[i] == '*' || b[j] == '*' || a[i].eq_ignore_ascii_case(&b[j]);
                if same {
                    if a[i] == '*' && b[j] == '*' {
                        reach[(i, j + 1)] = true;
                        reach[(i + 1, j)] = true;
                    } else if a[i] == '*' {
                        reach[(i, j + 1)] = true; // the star stays, the character is used
                    } else if b[j] == '*' {
                        reach[(i + 1, j)] = true;
                    } else {
                        reach[(i + 1, j + 1)] = true;
                    }
                }
            }
        }
    }
    reach[(n, m)]
}

/// A row-major table of booleans indexed by `(row, column)`.
struct Grid<'t> {
    cells: &'t mut [bool],
    width: usize,
}

impl std::ops::Index<(usize, usize)> for Grid<'_> {
    type Output = bool;
    fn index(&self, (i, j): (usize, usize)) -> &bool {
        &self.cells[i * self.width + j]
    }
}

impl std::ops::IndexMut<(usize, usize)> for Grid<'_> {
    fn index_mut(&mut self, (i, j): (usize, usize)) -> &mut bool {
        &mut self.cells[i * self.width + j]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meet(a: &str, b: &str) -> bool {
        globs_intersect(&as_glob(a), &as_glob(b))
    }

    #[test]
    fn arn_formats_meet_the_resources_they_describe() {
        let key = "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}";
        assert!(meet(key, "arn:aws:kms:us-east-1:111122223333:key/abc"));
        assert!(meet(key, "arn:aws:kms:*:111122223333:*"));
        assert!(!meet(key, "arn:aws:kms:us-east-1:111122223333:alias/app"));
        assert!(meet(
            "arn:${Partition}:s3:::${BucketName}",
            "arn:aws:s3:::bucket/${aws:username}"
        ));
        assert!(!meet(
            "arn:${Partition}:iam::${Account}:user/${UserName}",
            "arn:aws:s3:::bucket"
        ));
        assert!(meet("a?c", "*"));
        assert!(!meet("abc", "abd"));
    }
}
