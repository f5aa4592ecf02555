//! `via-service-value`: a `kms:ViaService` value that is not the endpoint
//! name of an AWS service integrated with KMS.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::BaseOperator;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "via-service-value",
        severity: Severity::Warning,
        access_analyzer: None,
        summary: "A `kms:ViaService` value names no AWS service endpoint.",
        rationale: "`kms:ViaService` holds `<service>.<region>.amazonaws.com` (`.amazonaws.com.cn` in China) of \
the integrated service that calls KMS for the principal, such as `s3.us-east-1.amazonaws.com` or \
`ec2.*.amazonaws.com` for EBS. A value in another shape, or for a service that does not call KMS, never \
matches, so an Allow with it allows nothing.",
        bad: r#""Condition": {"StringEquals": {"kms:ViaService": "s3.amazonaws.com"}}"#,
        good: r#""Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}"#,
    },
    check: Check::Policy(check),
};

/// Services whose endpoints appear in `kms:ViaService` (KMS developer
/// guide, "kms:ViaService"; see reference/kms.md section 7.2).
const SERVICES: &[&str] = &[
    "airflow",
    "appflow",
    "apprunner",
    "athena",
    "auditmanager",
    "backup",
    "backup-gateway",
    "bedrock",
    "cassandra",
    "codeartifact",
    "codeguru-reviewer",
    "comprehend",
    "connect",
    "dms",
    "directoryservice",
    "dynamodb",
    "ec2",
    "ecr",
    "eks",
    "elasticache",
    "elasticfilesystem",
    "es",
    "finspace",
    "firehose",
    "forecast",
    "fsx",
    "geo",
    "glue",
    "groundstation",
    "healthlake",
    "importexport",
    "iotsitewise",
    "kafka",
    "kendra",
    "kinesis",
    "kinesisvideo",
    "lambda",
    "lex",
    "license-manager",
    "lookoutequipment",
    "lookoutmetrics",
    "lookoutvision",
    "macie",
    "malware-protection",
    "managedblockchain",
    "mediatailor",
    "memorydb",
    "mgn",
    "monitron",
    "mq",
    "nimble",
    "omics",
    "profile",
    "proton",
    "qldb",
    "rds",
    "redshift",
    "redshift-serverless",
    "rekognition",
    "s3",
    "sagemaker",
    "secretsmanager",
    "ses",
    "sns",
    "sqlworkbench",
    "sqs",
    "ssm",
    "ssm-contacts",
    "ssm-incidents",
    "storagegateway",
    "timestream",
    "translate",
    "wisdom",
    "workmail",
    "workspaces",
    "workspaces-web",
    "xray",
];

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        for (operator, entry) in PolicyCx::conditions(statement) {
            if operator.base == BaseOperator::Null || !entry.key.eq_ignore_ascii_case("kms:ViaService") {
                continue;
            }
            for value in entry.values.iter() {
                if let Some(help) = problem(value.as_text()) {
                    out.push(
                        RULE.info
                            .finding(value.span, format!("`{}` is not a service endpoint", value.as_text()))
                            .label("never matches")
                            .help(help),
                    );
                }
            }
        }
    }
}

/// Why a value cannot match, or `None` when it can.
fn problem(value: &str) -> Option<String> {
    let shape = "write `<service>.<region>.amazonaws.com`, such as `s3.us-east-1.amazonaws.com`";
    let rest = value
        .strip_suffix(".amazonaws.com")
        .or_else(|| value.strip_suffix(".amazonaws.com.cn"));
    let Some(rest) = rest else {
        return Some(shape.to_owned());
    };
    let Some((service, region)) = rest.split_once('.') else {
        return Some(shape.to_owned());
    };
    let region_ok = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'*' | b'?'));
    if !region_ok {
        return Some(shape.to_owned());
    }
    if service.contains(['*', '?']) || SERVICES.contains(&service) {
        return None;
    }
    Some(match super::names::near(service, SERVICES.iter().copied(), true) {
        Some(close) => format!("did you mean `{close}.{region}.amazonaws.com`?"),
        None => format!("`{service}` is not a service that calls KMS on a principal's behalf"),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn accepts_endpoints_and_refuses_other_shapes() {
        assert_eq!(super::problem("ec2.us-west-2.amazonaws.com"), None);
        assert_eq!(super::problem("rds.*.amazonaws.com"), None);
        assert!(super::problem("s3.amazonaws.com").is_some());
        assert!(super::problem("s4.us-east-1.amazonaws.com").is_some_and(|h| h.contains("s3.us-east-1")));
    }
}
