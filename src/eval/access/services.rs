//! Service-specific evaluation facts, as data: which resource policies must
//! name the principal (or trust its account) before identity policies count,
//! and which services resource control policies cover. Everything else
//! follows the general IAM logic.
//!
//! Sources: IAM User Guide, reference_policies_evaluation-logic.html ("KMS key
//! policies and IAM role trust policies" must allow explicitly); Organizations User Guide,
//! <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-supported-services>,
//! "List of AWS services that support RCPs", as published on 2026-09-26.

/// Actions whose resource policy must allow the principal (or delegate to
/// its account) even inside one account: an identity policy alone never
/// suffices. `(service, action prefix)`; an empty prefix means every action.
const RESOURCE_POLICY_REQUIRED: &[(&str, &str)] = &[
    ("kms", ""),
    // A role's trust policy decides who may assume it.
    ("sts", "AssumeRole"),
];

/// Services whose resources RCPs cover, by service prefix, in the order the
/// Organizations User Guide lists them (it began in 2024 with S3, STS, KMS,
/// SQS and Secrets Manager).
const RCP_SERVICES: &[&str] = &[
    "appstream",
    "dsql",
    "clouddirectory",
    "cloudfront",
    "cloudsearch",
    "logs",
    "networkmonitor",
    "cognito-identity",
    "cognito-idp",
    "comprehend",
    "comprehendmedical",
    "firehose",
    "dynamodb",
    "dax",
    "autoscaling",
    "ecr",
    "ecr-public",
    "gamelift",
    "inspector-scan",
    "kendra",
    "kinesisvideo",
    "memorydb",
    "aoss",
    "personalize",
    "polly",
    "s3",
    "swf",
    "sqs",
    "textract",
    "timestream-influxdb",
    "transcribe",
    "translate",
    "workspaces",
    "appconfig",
    "autoscaling-plans",
    "budgets",
    "servicediscovery",
    "cloudtrail-data",
    "codeartifact",
    "codebuild",
    "codecommit",
    "codepipeline",
    "compute-optimizer",
    "cost-optimization-hub",
    "events",
    "fms",
    "fis",
    "health",
    "rolesanywhere",
    "kms",
    "opensearch",
    "pricing",
    "pca-connector-ad",
    "resource-groups",
    "secretsmanager",
    "sts",
    "signin",
    "support",
    "transfer",
    "notifications",
    "wafv2",
    "xray",
];

fn split(action: &str) -> (&str, &str) {
    action.split_once(':').unwrap_or((action, ""))
}

/// Must the resource policy allow `action` explicitly (identity alone is not enough)?
pub fn resource_policy_required(action: &str) -> bool {
    let (service, name) = split(action);
    RESOURCE_POLICY_REQUIRED.iter().any(|(s, prefix)| {
        service.eq_ignore_ascii_case(s)
            && name
                .get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    })
}

/// Do resource control policies apply to `action`'s service?
pub fn rcps_cover(action: &str) -> bool {
    let (service, _) = split(action);
    RCP_SERVICES.iter().any(|s| service.eq_ignore_ascii_case(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_policies_and_trust_policies_must_allow_explicitly() {
        assert!(resource_policy_required("kms:Decrypt"));
        assert!(resource_policy_required("sts:AssumeRole"));
        assert!(resource_policy_required("STS:assumerolewithwebidentity"));
        assert!(!resource_policy_required("sts:GetCallerIdentity"));
        assert!(!resource_policy_required("s3:GetObject"));
    }

    #[test]
    fn rcps_cover_the_services_the_organizations_guide_lists() {
        // The launch five ([ORG] orgs_manage_policies_rcps.html).
        for action in [
            "s3:GetObject",
            "sts:AssumeRole",
            "kms:Decrypt",
            "sqs:SendMessage",
            "secretsmanager:GetSecretValue",
        ] {
            assert!(rcps_cover(action), "{action}");
        }
        // Later additions, such as ECR, OpenSearch Serverless, CloudWatch
        // Logs, Cognito and DynamoDB.
        for action in [
            "ecr:BatchGetImage",
            "aoss:APIAccessAll",
            "logs:PutLogEvents",
            "cognito-idp:AdminGetUser",
            "DynamoDB:GetItem",
        ] {
            assert!(rcps_cover(action), "{action}");
        }
        // IAM, EC2 and Lambda are not listed.
        for action in ["iam:PassRole", "ec2:RunInstances", "lambda:InvokeFunction"] {
            assert!(!rcps_cover(action), "{action}");
        }
    }
}
