//! The resource a resource policy is attached to, as `ValidatePolicy`'s
//! `validatePolicyResourceType` names it (`AWS::S3::Bucket`, …): Access
//! Analyzer then checks that the policy's actions and resource ARNs are ones
//! that resource's policy can hold (UNSUPPORTED_ACTION_IN_POLICY,
//! UNSUPPORTED_RESOURCE_ARN_IN_POLICY). Given by `--resource-type`,
//! `resource-type` in `keyward.toml`, or the template resource a policy is in.

use crate::policy::DocumentKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceType {
    S3Bucket,
    S3AccessPoint,
    S3MultiRegionAccessPoint,
    S3ObjectLambdaAccessPoint,
    AssumeRolePolicyDocument,
    DynamoDbTable,
}

impl ResourceType {
    pub const ALL: &'static [ResourceType] = &[
        ResourceType::S3Bucket,
        ResourceType::S3AccessPoint,
        ResourceType::S3MultiRegionAccessPoint,
        ResourceType::S3ObjectLambdaAccessPoint,
        ResourceType::AssumeRolePolicyDocument,
        ResourceType::DynamoDbTable,
    ];

    /// The name `ValidatePolicy` takes.
    pub const fn as_str(self) -> &'static str {
        match self {
            ResourceType::S3Bucket => "AWS::S3::Bucket",
            ResourceType::S3AccessPoint => "AWS::S3::AccessPoint",
            ResourceType::S3MultiRegionAccessPoint => "AWS::S3::MultiRegionAccessPoint",
            ResourceType::S3ObjectLambdaAccessPoint => "AWS::S3ObjectLambda::AccessPoint",
            ResourceType::AssumeRolePolicyDocument => "AWS::IAM::AssumeRolePolicyDocument",
            ResourceType::DynamoDbTable => "AWS::DynamoDB::Table",
        }
    }

    /// A type by its `ValidatePolicy` name, without regard to case.
    pub fn parse(name: &str) -> Option<ResourceType> {
        ResourceType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str().eq_ignore_ascii_case(name))
    }

    /// "`AWS::S3::Bucket`, … and `AWS::DynamoDB::Table`", for messages.
    pub fn names() -> String {
        let names: Vec<&str> = ResourceType::ALL.iter().map(|t| t.as_str()).collect();
        crate::policy::suggest::list(&names)
    }

    /// The document kind a policy of this resource is.
    pub const fn kind(self) -> DocumentKind {
        match self {
            ResourceType::AssumeRolePolicyDocument => DocumentKind::RoleTrustPolicy,
            _ => DocumentKind::Policy,
        }
    }

    /// The service whose actions the policy may name, and the catalogue's
    /// resource types (of that service) its resource ARNs must be; `None`
    /// for a role trust policy, which takes no `Resource`.
    pub const fn holds(self) -> Option<(&'static str, &'static [&'static str])> {
        const BUCKET: &[&str] = &["bucket", "object"];
        const ACCESS_POINT: &[&str] = &["accesspoint", "accesspointobject"];
        const MULTI_REGION: &[&str] = &["multiregionaccesspoint"];
        const OBJECT_LAMBDA: &[&str] = &["objectlambdaaccesspoint"];
        const TABLE: &[&str] = &["table", "index", "stream"];
        match self {
            ResourceType::S3Bucket => Some(("s3", BUCKET)),
            ResourceType::S3AccessPoint => Some(("s3", ACCESS_POINT)),
            ResourceType::S3MultiRegionAccessPoint => Some(("s3", MULTI_REGION)),
            ResourceType::S3ObjectLambdaAccessPoint => Some(("s3-object-lambda", OBJECT_LAMBDA)),
            ResourceType::DynamoDbTable => Some(("dynamodb", TABLE)),
            ResourceType::AssumeRolePolicyDocument => None,
        }
    }
}

impl std::fmt::Display for ResourceType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_without_regard_to_case() {
        for ty in ResourceType::ALL {
            assert_eq!(ResourceType::parse(ty.as_str()), Some(*ty));
        }
        assert_eq!(ResourceType::parse("aws::s3::bucket"), Some(ResourceType::S3Bucket));
        assert_eq!(ResourceType::parse("AWS::KMS::Key"), None);
    }

    #[test]
    fn each_type_names_catalogued_resource_types() {
        let catalogue = crate::catalog::get();
        for ty in ResourceType::ALL {
            let Some((service, types)) = ty.holds() else { continue };
            let service = catalogue.service(service).expect("catalogued service");
            for name in types {
                assert!(service.resources.contains_key(*name), "{ty}: {name}");
            }
        }
    }
}
