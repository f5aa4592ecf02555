//! `resource-type-support`: with the resource a resource policy is attached
//! to known (`--resource-type`), an action of another service or a resource
//! ARN of another resource type, which that policy cannot hold.

use super::resource_arn_format::fields;
use super::resource_type_mismatch::{as_glob, globs_intersect};
use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "resource-type-support",
        severity: Severity::Error,
        access_analyzer: Some("UNSUPPORTED_RESOURCE_ARN_IN_POLICY"),
        summary: "The policy names a resource or action the resource it is attached to cannot hold.",
        rationale: "A resource policy applies to the resource it is attached to. Validated for a given \
resource type (`ValidatePolicy`'s `validatePolicyResourceType`: `AWS::S3::Bucket`, `AWS::S3::AccessPoint`, \
`AWS::S3::MultiRegionAccessPoint`, `AWS::S3ObjectLambda::AccessPoint`, `AWS::DynamoDB::Table`), Access \
Analyzer refuses a resource ARN of another type (UNSUPPORTED_RESOURCE_ARN_IN_POLICY: a bucket policy names \
the bucket and its objects, an access point policy the access point and its objects, a table policy the \
table, its indexes and streams) and an action of another service (UNSUPPORTED_ACTION_IN_POLICY). Give the \
type with `--resource-type` or `resource-type = \"AWS::S3::Bucket\"` in keyward.toml; in CloudFormation \
templates and Terraform plans it comes from the resource the policy is in. `AWS::IAM::AssumeRolePolicyDocument` \
lints the policy as a role trust policy (`role-trust-syntax`). Wildcards and policy variables are \
accepted where they can stand for a supported ARN.",
        bad: r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
 "Action": "s3:GetObject", "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/Books"}"#,
        good: r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
 "Action": "s3:GetObject", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*"}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    let Some(ty) = cx.resource_type else { return };
    let Some((service, types)) = ty.holds() else { return };
    let catalogue = cx.catalogue();
    // Each format's fields as globs: a wildcard in an ARN stays in its field.
    let formats: Vec<Vec<Vec<char>>> = catalogue
        .service(service)
        .map(|s| {
            types
                .iter()
                .filter_map(|t| s.resources.get(*t))
                .map(|f| fields(f).into_iter().map(as_glob).collect())
                .collect()
        })
        .unwrap_or_default();
    for statement in cx.statements() {
        if !statement.action.negated {
            for action in statement.action.value.iter() {
                let prefix = action.split_once(':').map_or("", |(p, _)| p);
                if action.as_str() == "*" || prefix.contains(['*', '?']) || prefix.eq_ignore_ascii_case(service) {
                    continue;
                }
                out.push(
                    RULE.info
                        .finding(
                            action.span,
                            format!("`{}` is not supported in the policy of an `{ty}`", action.node),
                        )
                        .label(format!("not a `{service}` action"))
                        .help(format!(
                            "a policy attached to an `{ty}` allows `{service}:` actions only"
                        ))
                        .issue_code("UNSUPPORTED_ACTION_IN_POLICY"),
                );
            }
        }
        let Some(resource) = &statement.resource else { continue };
        if resource.negated || formats.is_empty() {
            continue;
        }
        for value in resource.value.iter() {
            if formats.iter().any(|f| fits(value, f)) {
                continue;
            }
            out.push(
                RULE.info
                    .finding(
                        value.span,
                        format!("`{}` is not supported in the policy of an `{ty}`", value.node),
                    )
                    .label(format!("not the `{ty}` or what it holds"))
                    .help(super::names::per_catalogue(format!(
                        "name the resource the policy is attached to: {}",
                        types
                            .iter()
                            .filter_map(|t| catalogue.service(service)?.resources.get(*t).map(|f| format!("`{f}`")))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))),
            );
        }
    }
}

/// Can the ARN (or pattern) `value` name a resource of `format`, compared
/// field by field? A value of fewer than six fields (`*`) is compared whole.
fn fits(value: &str, format: &[Vec<char>]) -> bool {
    let parts = fields(value);
    if parts.len() < 6 || format.len() < 6 {
        let whole: Vec<char> = format.join(&':');
        return globs_intersect(&whole, &as_glob(value));
    }
    parts
        .iter()
        .zip(format)
        .all(|(part, field)| globs_intersect(field, &as_glob(part)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fits_format(value: &str, format: &str) -> bool {
        let format: Vec<Vec<char>> = fields(format).into_iter().map(as_glob).collect();
        fits(value, &format)
    }

    #[test]
    fn a_wildcard_stays_in_its_arn_field() {
        let bucket = "arn:${Partition}:s3:::${BucketName}";
        assert!(fits_format("arn:aws:s3:::amzn-s3-demo-bucket", bucket));
        assert!(fits_format("arn:aws:s3:::*", bucket) && fits_format("*", bucket));
        // An access point object's trailing `*` does not reach back into
        // the Region and account fields a bucket ARN leaves empty.
        assert!(!fits_format(
            "arn:aws:s3:us-east-1:111122223333:accesspoint/books/object/*",
            bucket
        ));
        // A policy variable's colon is not a field separator.
        assert!(fits_format(
            "arn:aws:s3:::home/${aws:username}/*",
            "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
        ));
        assert!(!fits_format(
            "arn:aws:dynamodb:us-east-1:111122223333:table/Books",
            bucket
        ));
    }
}
