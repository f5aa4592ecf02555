//! `resource-arn-format`: a resource ARN whose partition, Region or account
//! cannot be real (most often a documentation placeholder left in place).

use std::cell::RefCell;
use std::collections::HashMap;

use super::resource_type_mismatch::{as_glob, globs_intersect};
use super::{names, Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "resource-arn-format",
        severity: Severity::Warning,
        access_analyzer: Some("INVALID_ARN_ACCOUNT"),
        summary: "A resource ARN has a partition, Region or account that cannot exist.",
        rationale: "An ARN is `arn:partition:service:region:account:resource`. A placeholder such as \
`account-id` or `region` copied from documentation, or a misspelt partition, makes the ARN match no \
resource, so the statement silently does nothing. Access Analyzer reports these as INVALID_ARN_ACCOUNT, \
INVALID_ARN_REGION, INVALID_PARTITION and MISSING_ARN_FIELD. Against the service's ARN formats in the catalogue, \
a Region or account where the service has none, a missing Region where it needs one, and an \
upper-case service are reported too (ARN_REGION_NOT_ALLOWED, ARN_ACCOUNT_NOT_ALLOWED, MISSING_ARN_REGION, \
INVALID_ARN_SERVICE_CASE), and so is a resource part that fits none of the service's resource types \
(INVALID_ARN_RESOURCE: `arn:aws:iam::111122223333:person/Ana`). Wildcards and policy variables are accepted in every field. \
Key policies are left to `key-policy-resource`.",
        bad: r#""Resource": "arn:aws:iam::account-id:role/Reader""#,
        good: r#""Resource": "arn:aws:iam::111122223333:role/Reader""#,
    },
    check: Check::Policy(check),
};

const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// A message, its fix and Access Analyzer's code for the problem.
type Problem = (String, String, &'static str);

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if cx.is_key_policy() {
        return;
    }
    for statement in cx.statements() {
        let Some(resource) = &statement.resource else {
            continue;
        };
        for value in resource.value.iter() {
            if let Some((message, help, code)) = problem(value) {
                out.push(
                    RULE.info
                        .finding(value.span, message)
                        .label("matches no resource")
                        .help(help)
                        .issue_code(code),
                );
            }
        }
    }
}

/// Wildcards and policy variables can stand for anything.
fn open(field: &str) -> bool {
    field.contains(['*', '?']) || field.contains("${")
}

/// The ARN's six fields (fewer when it has fewer), split at colons outside
/// policy variables (`${aws:username}` has one).
pub(super) fn fields(arn: &str) -> Vec<&str> {
    let mut fields = Vec::new();
    let (mut start, mut depth) = (0, 0usize);
    let bytes = arn.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 && fields.len() < 5 => {
                fields.push(&arn[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(&arn[start..]);
    fields
}

/// [`judge`], remembered per thread: a repository repeats its ARNs.
fn problem(arn: &str) -> Option<Problem> {
    thread_local! {
        static SEEN: RefCell<HashMap<String, Option<Problem>>> = RefCell::new(HashMap::new());
    }
    if let Some(known) = SEEN.with(|seen| seen.borrow().get(arn).cloned()) {
        return known;
    }
    let verdict = judge(arn);
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        if seen.len() >= 4096 {
            seen.clear();
        }
        seen.insert(arn.to_owned(), verdict.clone());
    });
    verdict
}

fn judge(arn: &str) -> Option<Problem> {
    let fields = fields(arn);
    let [_, partition, service, region, account, resource] = fields.as_slice() else {
        // A trailing `*` may cover the missing fields (`arn:aws:cloudfront:*`).
        if fields.last().is_some_and(|f| f.ends_with('*')) {
            return None;
        }
        return Some((
            format!("the ARN has {} of its six fields", fields.len()),
            "write `arn:partition:service:region:account:resource`, with empty fields where the service has no Region or account".to_owned(),
            "MISSING_ARN_FIELD",
        ));
    };
    if !open(partition) && !PARTITIONS.contains(partition) {
        return Some((
            format!("`{partition}` is not an AWS partition"),
            "use `aws` (or `aws-cn`, `aws-us-gov`, …)".to_owned(),
            "INVALID_PARTITION",
        ));
    }
    let region_ok = region.is_empty() || open(region) || {
        let parts: Vec<&str> = region.split('-').collect();
        parts.len() >= 3
            && parts[..parts.len() - 1]
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
            && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
            && !parts[parts.len() - 1].is_empty()
    };
    if !region_ok {
        return Some((
            format!("`{region}` is not a Region"),
            "write a Region such as `us-east-1`, or `*`".to_owned(),
            "INVALID_ARN_REGION",
        ));
    }
    let account_ok = account.is_empty()
        || open(account)
        || *account == "aws"
        || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
    if !account_ok {
        return Some((
            format!("`{account}` is not an account id"),
            "write the 12-digit account id, or `*`".to_owned(),
            "INVALID_ARN_ACCOUNT",
        ));
    }
    against_service(service, region, account, resource)
}

/// The Region and account fields against the service's documented ARN
/// formats: S3 buckets have neither, KMS keys need both.
fn against_service(service: &str, region: &str, account: &str, resource: &str) -> Option<Problem> {
    if open(service) {
        return None;
    }
    let catalogue = crate::catalog::get();
    let formats = catalogue.service(service)?;
    if service.bytes().any(|b| b.is_ascii_uppercase()) {
        return Some((
            format!("`{service}` in an ARN is written in lower case"),
            format!("write `{}`", service.to_ascii_lowercase()),
            "INVALID_ARN_SERVICE_CASE",
        ));
    }
    // The formats whose resource part this ARN's could be.
    let resource_text = resource;
    let resource = as_glob(resource);
    let templates: Vec<Vec<&str>> = formats
        .resources
        .values()
        .map(|t| t.splitn(6, ':').collect::<Vec<&str>>())
        .filter(|t| t.get(5).is_some_and(|r| globs_intersect(&as_glob(r), &resource)))
        .collect();
    if templates.is_empty() && !formats.resources.is_empty() {
        return Some(unknown_resource(service, resource_text, formats));
    }
    let all = |field: usize, empty: bool| {
        !templates.is_empty()
            && templates
                .iter()
                .all(|t| t.get(field).is_some_and(|f| f.is_empty() == empty))
    };
    if !region.is_empty() && !open(region) && all(3, true) {
        return Some((
            format!("`{service}` ARNs have no Region, and this one has `{region}`"),
            "leave the Region field empty, as in `arn:aws:s3:::bucket`".to_owned(),
            "ARN_REGION_NOT_ALLOWED",
        ));
    }
    if region.is_empty() && all(3, false) {
        return Some((
            format!("`{service}` ARNs have a Region, and this one has none"),
            "write the Region, or `*` for every Region".to_owned(),
            "MISSING_ARN_REGION",
        ));
    }
    if !account.is_empty() && !open(account) && *account != *"aws" && all(4, true) {
        return Some((
            format!("`{service}` ARNs have no account, and this one has `{account}`"),
            "leave the account field empty".to_owned(),
            "ARN_ACCOUNT_NOT_ALLOWED",
        ));
    }
    None
}

/// INVALID_ARN_RESOURCE: a resource part none of the service's documented
/// ARN formats can take, with a few of them as examples.
fn unknown_resource(service: &str, resource: &str, formats: &crate::catalog::Service) -> Problem {
    let mut parts: Vec<&str> = formats
        .resources
        .values()
        .filter_map(|t| t.splitn(6, ':').nth(5))
        .collect();
    parts.sort_unstable();
    parts.dedup();
    let examples: Vec<&str> = parts.iter().take(4).copied().collect();
    let more = if parts.len() > examples.len() {
        format!(" (one of {} formats)", parts.len())
    } else {
        String::new()
    };
    (
        format!("`{resource}` is no resource of `{service}`"),
        names::per_catalogue(format!(
            "write the resource part as `{service}` documents it, such as {}{more}",
            crate::policy::suggest::list(&examples)
        )),
        "INVALID_ARN_RESOURCE",
    )
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn placeholders_are_flagged_and_wildcards_accepted() {
        assert!(problem("arn:aws:iam::account-id:user/David").is_some());
        assert!(problem("arn:aws:ec2:region:111122223333:instance/*").is_some());
        assert!(problem("arn:partition:s3:::bucket/*").is_some());
        assert_eq!(problem("arn:aws:s3:::bucket/*"), None);
        assert_eq!(problem("arn:aws:iam::aws:policy/ReadOnlyAccess"), None);
        assert_eq!(problem("arn:aws-us-gov:ec2:us-gov-west-1:*:instance/*"), None);
        assert_eq!(problem("arn:aws:iam::${aws:PrincipalAccount}:role/x"), None);
        assert_eq!(problem("arn:aws:cloudfront:*"), None);
        assert!(problem("arn:aws:iam::user/${aws:username}").is_some());
        assert!(problem("arn:aws:s3:us-east-1::bucket").is_some());
        assert!(problem("arn:aws:kms::111122223333:key/abc").is_some());
        assert!(problem("arn:aws:s3::111122223333:bucket").is_some());
        assert!(problem("arn:aws:KMS:us-east-1:111122223333:key/abc").is_some());
        assert_eq!(problem("arn:aws:kms:*:111122223333:key/*"), None);
    }
}
