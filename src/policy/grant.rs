//! The grant document model: a grant as `CreateGrant` takes it and
//! `ListGrants` returns it, and the files that hold one or many grants.

use std::fmt;

use crate::source::Spanned;

use super::model::Scalar;

/// One grant. Fields that only one of the two shapes (the `CreateGrant`
/// request, the `GrantListEntry`) carries are optional.
#[derive(Clone, Debug, PartialEq)]
pub struct Grant {
    pub key_id: Option<Spanned<String>>,
    pub grant_id: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub creation_date: Option<Spanned<Scalar>>,
    pub grantee: Spanned<Grantee>,
    pub retiring_principal: Option<Spanned<String>>,
    pub retiring_service_principal: Option<Spanned<String>>,
    pub issuing_account: Option<Spanned<String>>,
    pub operations: Vec<Spanned<GrantOperation>>,
    pub constraints: Option<Spanned<GrantConstraints>>,
    pub grant_tokens: Option<Vec<Spanned<String>>>,
    pub dry_run: Option<Spanned<bool>>,
}

/// Who receives the grant's permissions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grantee {
    /// `GranteePrincipal`: an account, user, role, federated user or session ARN.
    Principal(String),
    /// `GranteeServicePrincipal`: an AWS service (requires a `SourceArn` constraint).
    ServicePrincipal(String),
}

/// `Constraints`: encryption-context conditions and the `SourceArn`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GrantConstraints {
    pub encryption_context_equals: Option<Vec<ContextPair>>,
    pub encryption_context_subset: Option<Vec<ContextPair>>,
    pub source_arn: Option<Spanned<String>>,
}

/// One `key: value` pair of an encryption-context constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextPair {
    pub key: Spanned<String>,
    pub value: Spanned<String>,
}

macro_rules! grant_operations {
    ($($name:ident),* $(,)?) => {
        /// The operations a grant can allow (enum `GrantOperation` of the KMS API).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum GrantOperation { $($name),* }

        impl GrantOperation {
            pub const ALL: &'static [GrantOperation] = &[$(GrantOperation::$name),*];

            pub const fn as_str(self) -> &'static str {
                match self { $(GrantOperation::$name => stringify!($name)),* }
            }
        }
    };
}

grant_operations!(
    Decrypt,
    Encrypt,
    GenerateDataKey,
    GenerateDataKeyWithoutPlaintext,
    ReEncryptFrom,
    ReEncryptTo,
    Sign,
    Verify,
    GetPublicKey,
    CreateGrant,
    RetireGrant,
    DescribeKey,
    GenerateDataKeyPair,
    GenerateDataKeyPairWithoutPlaintext,
    GenerateMac,
    VerifyMac,
    DeriveSharedSecret,
    Encapsulate,
    Decapsulate,
);

impl GrantOperation {
    pub fn parse(text: &str) -> Option<GrantOperation> {
        GrantOperation::ALL.iter().copied().find(|op| op.as_str() == text)
    }
}

impl fmt::Display for GrantOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A file of grants, in the shape it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Grants {
    pub shape: GrantsShape,
    pub grants: Vec<Spanned<Grant>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum GrantsShape {
    /// One grant object.
    One,
    /// A JSON array of grants.
    List,
    /// A `ListGrants` response: `{"Grants": […], "NextMarker": …, "Truncated": …}`.
    ListGrantsResponse {
        next_marker: Option<Spanned<String>>,
        truncated: Option<Spanned<bool>>,
    },
}
