//! Policies in Terraform plans (`terraform show -json`): the planned values
//! of the root module and its child modules, each resource's policy
//! attributes, which hold the policy as a JSON string.

use super::node::Node;
use super::Embedded;
use crate::lint::ResourceType;
use crate::policy::DocumentKind;

/// Is this document a plan? It has `planned_values` or `terraform_version`.
pub fn is_plan(root: &Node) -> bool {
    root.get("planned_values").is_some() || (root.get("terraform_version").is_some() && root.get("values").is_some())
}

fn attributes(resource_type: &str) -> &'static [(&'static str, Option<DocumentKind>)] {
    const IDENTITY: Option<DocumentKind> = Some(DocumentKind::IdentityPolicy);
    const RESOURCE: Option<DocumentKind> = Some(DocumentKind::Policy);
    match resource_type {
        "aws_kms_key" | "aws_kms_replica_key" | "aws_kms_external_key" => &[("policy", Some(DocumentKind::KeyPolicy))],
        "aws_iam_policy" | "aws_iam_role_policy" | "aws_iam_user_policy" | "aws_iam_group_policy" => {
            &[("policy", IDENTITY)]
        }
        "aws_iam_role" => &[("assume_role_policy", Some(DocumentKind::RoleTrustPolicy))],
        "aws_s3_bucket_policy"
        | "aws_sqs_queue_policy"
        | "aws_sns_topic_policy"
        | "aws_secretsmanager_secret_policy"
        | "aws_ecr_repository_policy"
        | "aws_cloudwatch_log_resource_policy"
        | "aws_glacier_vault_lock"
        | "aws_s3_access_point"
        | "aws_s3control_access_point_policy"
        | "aws_s3control_object_lambda_access_point_policy"
        | "aws_opensearch_domain_policy"
        | "aws_backup_vault_policy" => &[
            ("policy", RESOURCE),
            ("policy_document", RESOURCE),
            ("access_policies", RESOURCE),
        ],
        "aws_sqs_queue" | "aws_sns_topic" | "aws_secretsmanager_secret" | "aws_s3_bucket" => &[("policy", RESOURCE)],
        // Its `type` says which; see `organizations_kind`.
        "aws_organizations_policy" => &[("content", IDENTITY)],
        _ => &[],
    }
}

/// Every policy string of the plan's planned resources.
pub fn find(root: &Node) -> Vec<Embedded<'_>> {
    let mut found = Vec::new();
    let top = root.get("planned_values").unwrap_or(root);
    if let Some(module) = top.get("root_module") {
        module_policies(module, &mut found);
    }
    found
}

fn module_policies<'n>(module: &'n Node, found: &mut Vec<Embedded<'n>>) {
    for resource in module.get("resources").map(Node::items).unwrap_or_default() {
        let ty = resource.get("type").and_then(Node::as_str).unwrap_or_default();
        let address = resource.get("address").and_then(Node::as_str).unwrap_or(ty);
        let Some(values) = resource.get("values") else {
            continue;
        };
        for (attribute, kind) in attributes(ty) {
            let kind = if ty == "aws_organizations_policy" {
                &organizations_kind(values.get("type").and_then(Node::as_str))
            } else {
                kind
            };
            if let Some(node) = values
                .get(attribute)
                .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
            {
                found.push(Embedded {
                    name: format!("{address}.{attribute}"),
                    kind: *kind,
                    inline: None,
                    resource_type: attached_to(ty),
                    node,
                });
            }
        }
    }
    for child in module.get("child_modules").map(Node::items).unwrap_or_default() {
        module_policies(child, found);
    }
}

/// The resource type Access Analyzer validates a resource's policy as.
fn attached_to(resource_type: &str) -> Option<ResourceType> {
    match resource_type {
        "aws_s3_bucket_policy" | "aws_s3_bucket" => Some(ResourceType::S3Bucket),
        "aws_s3_access_point" | "aws_s3control_access_point_policy" => Some(ResourceType::S3AccessPoint),
        "aws_s3control_multi_region_access_point_policy" => Some(ResourceType::S3MultiRegionAccessPoint),
        "aws_s3control_object_lambda_access_point_policy" => Some(ResourceType::S3ObjectLambdaAccessPoint),
        "aws_iam_role" => Some(ResourceType::AssumeRolePolicyDocument),
        _ => None,
    }
}

/// An Organizations policy's `type`: SCPs and RCPs are linted as such;
/// other types (tag, backup, AI opt-out policies) are not IAM policies.
pub(super) fn organizations_kind(ty: Option<&str>) -> Option<DocumentKind> {
    match ty {
        Some("RESOURCE_CONTROL_POLICY") => Some(DocumentKind::ResourceControlPolicy),
        _ => Some(DocumentKind::ServiceControlPolicy),
    }
}
