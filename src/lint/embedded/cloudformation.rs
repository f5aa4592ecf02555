//! Policies in CloudFormation templates (JSON or YAML): where each resource
//! type keeps its policy documents, and the intrinsic functions in them
//! (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::If`, …) turned into
//! plausible values: pseudo parameters into example values, parameters into
//! their defaults, resources into an ARN or name of their type.

use super::node::{Node, Value};
use super::Embedded;
use crate::lint::{Inline, ResourceType};
use crate::policy::DocumentKind;

/// Is this document a template? It has `Resources` whose members have a `Type`.
pub fn is_template(root: &Node) -> bool {
    root.get("AWSTemplateFormatVersion").is_some()
        || root
            .get("Resources")
            .is_some_and(|r| r.members().iter().any(|(_, _, v)| v.get("Type").is_some()))
}

/// `(property path below Properties, kind)` per resource type; `[]` in a
/// path walks a list.
fn places(resource_type: &str) -> &'static [(&'static [&'static str], Option<DocumentKind>)] {
    const IDENTITY: Option<DocumentKind> = Some(DocumentKind::IdentityPolicy);
    const RESOURCE: Option<DocumentKind> = Some(DocumentKind::Policy);
    match resource_type {
        "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => &[(&["KeyPolicy"], Some(DocumentKind::KeyPolicy))],
        "AWS::IAM::Policy"
        | "AWS::IAM::ManagedPolicy"
        | "AWS::IAM::RolePolicy"
        | "AWS::IAM::UserPolicy"
        | "AWS::IAM::GroupPolicy" => &[(&["PolicyDocument"], IDENTITY)],
        "AWS::IAM::Role" => &[
            (&["AssumeRolePolicyDocument"], Some(DocumentKind::RoleTrustPolicy)),
            (&["Policies", "[]", "PolicyDocument"], IDENTITY),
        ],
        "AWS::IAM::User" | "AWS::IAM::Group" => &[(&["Policies", "[]", "PolicyDocument"], IDENTITY)],
        "AWS::S3::BucketPolicy" | "AWS::SQS::QueuePolicy" | "AWS::SNS::TopicPolicy" | "AWS::Logs::ResourcePolicy" => {
            &[(&["PolicyDocument"], RESOURCE)]
        }
        "AWS::SecretsManager::ResourcePolicy" => &[(&["ResourcePolicy"], RESOURCE)],
        "AWS::ECR::Repository" => &[(&["RepositoryPolicyText"], RESOURCE)],
        "AWS::S3::AccessPoint" | "AWS::S3::MultiRegionAccessPointPolicy" => &[(&["Policy"], RESOURCE)],
        "AWS::S3ObjectLambda::AccessPointPolicy" => &[(&["PolicyDocument"], RESOURCE)],
        "AWS::DynamoDB::Table" => &[(&["ResourcePolicy", "PolicyDocument"], RESOURCE)],
        "AWS::OpenSearchService::Domain" | "AWS::Elasticsearch::Domain" => &[(&["AccessPolicies"], RESOURCE)],
        "AWS::Backup::BackupVault" => &[(&["AccessPolicy"], RESOURCE)],
        "AWS::Organizations::Policy" => &[(&["Content"], IDENTITY)],
        _ => &[],
    }
}

/// Every policy document of the template, with a name for it.
pub fn find(root: &Node) -> Vec<Embedded<'_>> {
    let mut found = Vec::new();
    for (logical, _, resource) in root.get("Resources").map(Node::members).unwrap_or_default() {
        let Some(ty) = resource.get("Type").and_then(Node::as_str) else {
            continue;
        };
        let Some(properties) = resource.get("Properties") else {
            continue;
        };
        for (path, kind) in places(ty) {
            let mut at = vec![(properties, String::new())];
            for step in *path {
                at = at
                    .into_iter()
                    .flat_map(|(node, name)| -> Vec<(&Node, String)> {
                        if *step == "[]" {
                            node.items()
                                .iter()
                                .enumerate()
                                .map(|(i, n)| (n, format!("{name}[{i}]")))
                                .collect()
                        } else {
                            node.get(step)
                                .map(|n| (n, format!("{name}.{step}")))
                                .into_iter()
                                .collect()
                        }
                    })
                    .collect();
            }
            for (node, name) in at {
                let kind = match ty {
                    "AWS::Organizations::Policy" => {
                        super::terraform::organizations_kind(properties.get("Type").and_then(Node::as_str))
                    }
                    _ => *kind,
                };
                found.push(Embedded {
                    name: format!("{logical}{name}"),
                    kind,
                    inline: inline_quota(ty, path),
                    resource_type: attached_to(ty, path),
                    node,
                });
            }
        }
    }
    found
}

/// The resource type Access Analyzer validates the policy at `path` of a
/// resource as.
fn attached_to(resource_type: &str, path: &[&str]) -> Option<ResourceType> {
    match (resource_type, path.first()) {
        ("AWS::S3::BucketPolicy", _) => Some(ResourceType::S3Bucket),
        ("AWS::S3::AccessPoint", _) => Some(ResourceType::S3AccessPoint),
        ("AWS::S3::MultiRegionAccessPointPolicy", _) => Some(ResourceType::S3MultiRegionAccessPoint),
        ("AWS::S3ObjectLambda::AccessPointPolicy", _) => Some(ResourceType::S3ObjectLambdaAccessPoint),
        ("AWS::DynamoDB::Table", _) => Some(ResourceType::DynamoDbTable),
        ("AWS::IAM::Role", Some(&"AssumeRolePolicyDocument")) => Some(ResourceType::AssumeRolePolicyDocument),
        _ => None,
    }
}

/// The quota of an identity's inline policies (`Policies` of a user,
/// group or role).
fn inline_quota(resource_type: &str, path: &[&str]) -> Option<Inline> {
    if path.first() != Some(&"Policies") {
        return None;
    }
    match resource_type {
        "AWS::IAM::User" => Some(Inline::USER),
        "AWS::IAM::Group" => Some(Inline::GROUP),
        "AWS::IAM::Role" => Some(Inline::ROLE),
        _ => None,
    }
}

/// An intrinsic function's name without `Fn::` (`Sub`, `Ref`) and its
/// argument, written `!Sub x` or `{"Fn::Sub": x}`; `None` for plain values.
pub fn function(node: &Node) -> Option<(String, &Node)> {
    match &node.value {
        Value::Tagged(tag, inner) => Some((tag.strip_prefix("Fn::").unwrap_or(tag).to_owned(), &**inner)),
        Value::Object(members) if members.len() == 1 => {
            let (key, _, value) = &members[0];
            if key == "Ref" || key == "Condition" {
                Some((key.clone(), value))
            } else {
                Some((key.strip_prefix("Fn::")?.to_owned(), value))
            }
        }
        _ => None,
    }
}

/// The value an intrinsic function stands for, or `None` for plain values.
pub fn intrinsic(root: &Node, node: &Node) -> Option<String> {
    let (function, argument) = function(node)?;
    let text = |n: &Node| -> String {
        intrinsic(root, n).unwrap_or_else(|| match &n.value {
            Value::String(s) | Value::Number(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            _ => "value".to_owned(),
        })
    };
    Some(match function.as_str() {
        "Ref" => reference(root, argument.as_str().unwrap_or_default(), None),
        "GetAtt" => {
            let (name, attribute) = match &argument.value {
                Value::String(s) => s
                    .split_once('.')
                    .map_or((s.clone(), String::new()), |(a, b)| (a.into(), b.into())),
                Value::Array(items) => (
                    items.first().map(&text).unwrap_or_default(),
                    items.get(1).map(&text).unwrap_or_default(),
                ),
                _ => (String::new(), String::new()),
            };
            reference(root, &name, Some(&attribute))
        }
        "Sub" => {
            let (template, variables) = match &argument.value {
                Value::Array(items) => (items.first().map(&text).unwrap_or_default(), items.get(1)),
                _ => (text(argument), None),
            };
            substitute(root, &template, variables)
        }
        "Join" => {
            let items = argument.items();
            let delimiter = items.first().map(&text).unwrap_or_default();
            let parts = items.get(1).map(|p| match &p.value {
                Value::Array(parts) => parts.iter().map(&text).collect::<Vec<_>>(),
                _ => vec![text(p)],
            });
            parts.unwrap_or_default().join(&delimiter)
        }
        "If" => argument.items().get(1).map(&text).unwrap_or_default(),
        "Select" => {
            let items = argument.items();
            let index = items
                .first()
                .map(&text)
                .and_then(|i| i.parse::<usize>().ok())
                .unwrap_or(0);
            items
                .get(1)
                .and_then(|list| list.items().get(index))
                .map(&text)
                .unwrap_or_else(|| "value".to_owned())
        }
        "Base64" | "ToJsonString" => text(argument),
        _ => "value".to_owned(),
    })
}

/// The argument of a `Fn::Sub` (`!Sub x` or `{"Fn::Sub": x}`), if `node` is one.
pub fn sub_argument(node: &Node) -> Option<&Node> {
    match &node.value {
        Value::Tagged(tag, inner) if tag == "Sub" || tag == "Fn::Sub" => Some(inner),
        Value::Object(members) if members.len() == 1 && members[0].0 == "Fn::Sub" => Some(&members[0].2),
        _ => None,
    }
}

/// What `${name}` of a `Fn::Sub` stands for: the value its variables map
/// gives, else the parameter, resource or pseudo parameter of that name.
pub fn sub_value(root: &Node, variables: Option<&Node>, name: &str) -> String {
    match variables.and_then(|v| v.get(name)) {
        Some(value) => intrinsic(root, value)
            .or_else(|| value.as_str().map(str::to_owned))
            .unwrap_or_else(|| name.to_owned()),
        None => placeholder(root, name),
    }
}

/// What `${name}` of a `Fn::Sub` stands for, without a variables map.
fn placeholder(root: &Node, name: &str) -> String {
    match name.split_once('.') {
        Some((resource, attribute)) => reference(root, resource, Some(attribute)),
        None => reference(root, name, None),
    }
}

/// `${Name}` and `${Name.Attribute}` and `${!Literal}` in a `Fn::Sub`
/// string; a name the variables map (`!Sub [text, {Name: value}]`) gives
/// takes that value.
fn substitute(root: &Node, template: &str, variables: Option<&Node>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find("${") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        match name.strip_prefix('!') {
            Some(literal) => {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            }
            None => out.push_str(&sub_value(root, variables, name)),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A pseudo parameter's example value, a parameter's default, or a
/// resource's name or ARN by its type.
fn reference(root: &Node, name: &str, attribute: Option<&str>) -> String {
    match name {
        "AWS::AccountId" => return "123456789012".to_owned(),
        "AWS::Region" => return "us-east-1".to_owned(),
        "AWS::Partition" => return "aws".to_owned(),
        "AWS::URLSuffix" => return "amazonaws.com".to_owned(),
        "AWS::StackName" => return "stack".to_owned(),
        "AWS::StackId" => {
            return "arn:aws:cloudformation:us-east-1:123456789012:stack/stack/00000000-0000-0000-0000-000000000000"
                .to_owned()
        }
        "AWS::NoValue" => return String::new(),
        _ => {}
    }
    if let Some(parameter) = root.get("Parameters").and_then(|p| p.get(name)) {
        return match parameter.get("Default").map(|d| &d.value) {
            Some(Value::String(s) | Value::Number(s)) => s.clone(),
            _ => name.to_owned(),
        };
    }
    let ty = root
        .get("Resources")
        .and_then(|r| r.get(name))
        .and_then(|r| r.get("Type"))
        .and_then(Node::as_str)
        .unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    let arn = match ty {
        "AWS::IAM::Role" => format!("arn:aws:iam::123456789012:role/{name}"),
        "AWS::IAM::User" => format!("arn:aws:iam::123456789012:user/{name}"),
        "AWS::IAM::Group" => format!("arn:aws:iam::123456789012:group/{name}"),
        "AWS::IAM::ManagedPolicy" => format!("arn:aws:iam::123456789012:policy/{name}"),
        "AWS::S3::Bucket" => format!("arn:aws:s3:::{lower}"),
        "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => {
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab".to_owned()
        }
        "AWS::KMS::Alias" => format!("arn:aws:kms:us-east-1:123456789012:alias/{name}"),
        "AWS::SQS::Queue" => format!("arn:aws:sqs:us-east-1:123456789012:{name}"),
        "AWS::SNS::Topic" => format!("arn:aws:sns:us-east-1:123456789012:{name}"),
        "AWS::Lambda::Function" => format!("arn:aws:lambda:us-east-1:123456789012:function:{name}"),
        "AWS::DynamoDB::Table" => format!("arn:aws:dynamodb:us-east-1:123456789012:table/{name}"),
        "AWS::SecretsManager::Secret" => format!("arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}"),
        _ => {
            let service = ty.split("::").nth(1).unwrap_or("cloudformation").to_ascii_lowercase();
            format!("arn:aws:{service}:us-east-1:123456789012:{lower}")
        }
    };
    match (ty, attribute) {
        (_, Some("Arn")) => arn,
        // `Ref` gives an ARN for these types, a name or id for the others.
        ("AWS::IAM::ManagedPolicy" | "AWS::SNS::Topic" | "AWS::SecretsManager::Secret", None) => arn,
        ("AWS::S3::Bucket", _) => lower,
        ("AWS::KMS::Key" | "AWS::KMS::ReplicaKey", _) => "1234abcd-12ab-34cd-56ef-1234567890ab".to_owned(),
        ("AWS::SQS::Queue", None) => format!("https://sqs.us-east-1.amazonaws.com/123456789012/{name}"),
        _ => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intrinsics_become_values_of_their_type() {
        let template = super::super::yaml::parse(
            "Parameters:\n  Env:\n    Default: prod\nResources:\n  Role:\n    Type: AWS::IAM::Role\n  Data:\n    Type: AWS::S3::Bucket\n  Sub: !Sub 'arn:${AWS::Partition}:s3:::${Data}-${Env}/*'\n  Arn: !GetAtt Role.Arn\n",
        )
        .expect("yaml");
        let resources = template.get("Resources").expect("Resources");
        let value = |key: &str| intrinsic(&template, resources.get(key).expect("key"));
        assert_eq!(value("Sub").as_deref(), Some("arn:aws:s3:::data-prod/*"));
        assert_eq!(value("Arn").as_deref(), Some("arn:aws:iam::123456789012:role/Role"));
        assert_eq!(intrinsic(&template, template.get("Parameters").expect("p")), None);
    }
}
