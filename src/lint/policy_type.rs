//! The policy types Access Analyzer validates differently (`policyType` and
//! `validatePolicyResourceType` of `ValidatePolicy`): a document read as an
//! identity or resource policy may be an SCP, an RCP or a role trust policy,
//! each with its own syntax rules and size quota.

use crate::policy::{DocumentKind, PolicyKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyType {
    Identity,
    Resource,
    Key,
    RoleTrust,
    ServiceControl,
    ResourceControl,
}

impl PolicyType {
    /// The type asked for, or the one the reader decided.
    pub fn of(asked: Option<DocumentKind>, read: PolicyKind) -> PolicyType {
        match asked {
            Some(DocumentKind::RoleTrustPolicy) => PolicyType::RoleTrust,
            Some(DocumentKind::ServiceControlPolicy) => PolicyType::ServiceControl,
            Some(DocumentKind::ResourceControlPolicy) => PolicyType::ResourceControl,
            _ => match read {
                PolicyKind::KeyPolicy => PolicyType::Key,
                PolicyKind::ResourcePolicy => PolicyType::Resource,
                PolicyKind::IdentityPolicy => PolicyType::Identity,
            },
        }
    }

    /// How messages name it: "a service control policy".
    pub const fn article_name(self) -> &'static str {
        match self {
            PolicyType::Identity => "an identity policy",
            PolicyType::Resource => "a resource policy",
            PolicyType::Key => "a key policy",
            PolicyType::RoleTrust => "a role trust policy",
            PolicyType::ServiceControl => "a service control policy",
            PolicyType::ResourceControl => "a resource control policy",
        }
    }
}

/// The size quota of an inline policy, known from where a template keeps it
/// (IAM User Guide, "IAM and AWS STS quotas": the inline policies of a user
/// total 2,048 characters, of a group 5,120, of a role 10,240, whitespace not
/// counted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inline {
    pub quota: usize,
    /// "a user", "a group", "a role".
    pub holder: &'static str,
}

impl Inline {
    pub const USER: Inline = Inline {
        quota: 2_048,
        holder: "a user",
    };
    pub const GROUP: Inline = Inline {
        quota: 5_120,
        holder: "a group",
    };
    pub const ROLE: Inline = Inline {
        quota: 10_240,
        holder: "a role",
    };
}
