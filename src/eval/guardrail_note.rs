//! Why a policy that was given did not take part in a decision (or took
//! part in a way worth saying): a guardrail that does not apply to this
//! caller or service, or a resource policy not consulted for an action
//! without a resource. Recorded in a [`Trace`](super::Trace) only, so a
//! decision without a trace pays nothing for it.

/// One note on a guardrail or resource policy; [`GuardrailNote::code`] is
/// stable (docs/simulate-json.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GuardrailNote {
    /// SCPs limit the IAM principals of member accounts; an AWS service
    /// principal is not one (Organizations User Guide, orgs_manage_policies_scps.html).
    ScpNotForServicePrincipal,
    /// An anonymous caller belongs to no account, so no account's SCPs apply.
    ScpNotForAnonymous,
    /// SCPs do not affect service-linked roles (orgs_manage_policies_scps.html,
    /// "Tasks and entities not restricted by SCPs").
    ScpNotForServiceLinkedRole,
    /// SCPs do not affect users or roles in the management account (same
    /// page).
    ScpNotForManagementAccount,
    /// RCPs cover only the services AWS lists (Organizations User Guide,
    /// orgs_manage_policies_rcps.html#rcp-supported-services).
    RcpServiceNotCovered,
    /// RCPs do not impact `kms:RetireGrant` (Organizations User Guide,
    /// orgs_manage_policies_rcps.html#actions-not-restricted-by-rcps).
    RcpNotForRetireGrant,
    /// RCPs do not impact the permissions of a service-linked role
    /// (orgs_manage_policies_rcps.html#actions-not-restricted-by-rcps).
    RcpNotForServiceLinkedRole,
    /// RCPs do not impact a service's ability to assume its service-linked
    /// role: the role's trust policy is not limited by them (same page).
    RcpNotForServiceLinkedRoleTrust,
    /// RCPs do not apply to AWS managed KMS keys (same page; KMS Developer
    /// Guide, resource-control-policies.html).
    RcpNotForAwsManagedKey,
    /// RCPs do not affect resources in the organization's management
    /// account (same page).
    RcpNotForManagementAccount,
    /// The action has no resource and the caller belongs to no account.
    RcpNoAccount,
    /// The action has no resource: the RCPs of the caller's account
    /// applied (a choice, docs/evaluation.md).
    RcpOfCallerAccount,
    /// The action has no resource, so no resource policy is consulted.
    ResourcePolicyNoResource,
    /// The alias half of `CreateAlias`/`DeleteAlias`/`UpdateAlias` is
    /// authorized by identity policies alone (reference §5.6).
    KeyPolicyNotForAlias,
    /// The request passed through a VPC endpoint whose policy was not
    /// given: AWS's default endpoint policy allows every request.
    VpcEndpointDefaultPolicy,
}

impl GuardrailNote {
    pub const fn code(self) -> &'static str {
        match self {
            GuardrailNote::ScpNotForServicePrincipal => "scp-not-for-service-principal",
            GuardrailNote::ScpNotForAnonymous => "scp-not-for-anonymous",
            GuardrailNote::ScpNotForServiceLinkedRole => "scp-not-for-service-linked-role",
            GuardrailNote::ScpNotForManagementAccount => "scp-not-for-management-account",
            GuardrailNote::RcpServiceNotCovered => "rcp-service-not-covered",
            GuardrailNote::RcpNotForRetireGrant => "rcp-not-for-retire-grant",
            GuardrailNote::RcpNotForServiceLinkedRole => "rcp-not-for-service-linked-role",
            GuardrailNote::RcpNotForServiceLinkedRoleTrust => "rcp-not-for-service-linked-role-trust",
            GuardrailNote::RcpNotForAwsManagedKey => "rcp-not-for-aws-managed-key",
            GuardrailNote::RcpNotForManagementAccount => "rcp-not-for-management-account",
            GuardrailNote::RcpNoAccount => "rcp-no-account",
            GuardrailNote::RcpOfCallerAccount => "rcp-of-caller-account",
            GuardrailNote::ResourcePolicyNoResource => "resource-policy-no-resource",
            GuardrailNote::KeyPolicyNotForAlias => "key-policy-not-for-alias",
            GuardrailNote::VpcEndpointDefaultPolicy => "vpc-endpoint-default-policy",
        }
    }

    pub const fn describe(self) -> &'static str {
        match self {
            GuardrailNote::ScpNotForServicePrincipal => {
                "no SCP applies: SCPs limit the IAM principals of member accounts, and an AWS service principal is not one"
            }
            GuardrailNote::ScpNotForAnonymous => "no SCP applies: an anonymous caller belongs to no account",
            GuardrailNote::ScpNotForServiceLinkedRole => "no SCP applies: SCPs do not affect service-linked roles",
            GuardrailNote::ScpNotForManagementAccount => {
                "no SCP applies: SCPs do not affect users or roles in the organization's management account"
            }
            GuardrailNote::RcpServiceNotCovered => {
                "no RCP applies: RCPs do not cover this action's service (AWS Organizations, \"List of AWS services that support RCPs\")"
            }
            GuardrailNote::RcpNotForRetireGrant => "no RCP applies: RCPs do not impact `kms:RetireGrant`",
            GuardrailNote::RcpNotForServiceLinkedRole => {
                "no RCP applies: RCPs do not impact the permissions of a service-linked role"
            }
            GuardrailNote::RcpNotForServiceLinkedRoleTrust => {
                "no RCP applies: RCPs do not impact a service assuming its service-linked role"
            }
            GuardrailNote::RcpNotForAwsManagedKey => "no RCP applies: RCPs do not apply to AWS managed KMS keys",
            GuardrailNote::RcpNotForManagementAccount => {
                "no RCP applies: RCPs do not affect resources in the organization's management account"
            }
            GuardrailNote::RcpNoAccount => {
                "no RCP applies: the action has no resource and the caller belongs to no account"
            }
            GuardrailNote::RcpOfCallerAccount => {
                "the action has no resource, so the RCPs of the caller's account applied (docs/evaluation.md)"
            }
            GuardrailNote::ResourcePolicyNoResource => {
                "the action has no resource, so no resource policy was consulted: identity policies decide"
            }
            GuardrailNote::KeyPolicyNotForAlias => {
                "the key policy was not consulted: the alias half of an alias operation is authorized by identity policies alone"
            }
            GuardrailNote::VpcEndpointDefaultPolicy => {
                "the request passed through a VPC endpoint whose policy was not given: the default endpoint policy allows every request"
            }
        }
    }

    /// Every note, for documentation checks.
    pub const ALL: [GuardrailNote; 15] = [
        GuardrailNote::ScpNotForServicePrincipal,
        GuardrailNote::ScpNotForAnonymous,
        GuardrailNote::ScpNotForServiceLinkedRole,
        GuardrailNote::ScpNotForManagementAccount,
        GuardrailNote::RcpServiceNotCovered,
        GuardrailNote::RcpNotForRetireGrant,
        GuardrailNote::RcpNotForServiceLinkedRole,
        GuardrailNote::RcpNotForServiceLinkedRoleTrust,
        GuardrailNote::RcpNotForAwsManagedKey,
        GuardrailNote::RcpNotForManagementAccount,
        GuardrailNote::RcpNoAccount,
        GuardrailNote::RcpOfCallerAccount,
        GuardrailNote::ResourcePolicyNoResource,
        GuardrailNote::KeyPolicyNotForAlias,
        GuardrailNote::VpcEndpointDefaultPolicy,
    ];
}
