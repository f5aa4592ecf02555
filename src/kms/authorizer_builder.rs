//! The one way to assemble an [`Authorizer`] from loaded policies: test
//! suites, `keyward simulate` and the accounts file (hence the server, the
//! runtime and the REPL) all go through [`AuthorizerBuilder`], which checks
//! what an authorizer holds makes sense before anything is decided with it.

use std::collections::BTreeMap;

use thiserror::Error;

use super::authorize::Authorizer;
use crate::eval::unique_id::{self, IdKind};
use crate::eval::{Caller, CallerKind, CompiledPolicy};
use crate::policy::Grant;

/// Something given to an [`AuthorizerBuilder`] that AWS would not accept.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum AuthorizerError {
    #[error("`{0}` is not a 12-digit account id")]
    Account(String),
    #[error("`{0}` is not a user or role ARN: identity policies, boundaries and tags attach to users and roles (a role's apply to its sessions)")]
    NotUserOrRole(String),
    #[error("`{0}` is given two permissions boundaries: an IAM user or role has at most one")]
    SecondBoundary(String),
    #[error("two session policies are given: a session has at most one")]
    SecondSessionPolicy,
    #[error("`{0}` is not a VPC endpoint id such as `vpce-1a2b3c4d`")]
    Endpoint(String),
    #[error("the VPC endpoint `{0}` is given two policies: an endpoint has one")]
    SecondEndpointPolicy(String),
    #[error(transparent)]
    Organization(#[from] super::organization::OrganizationError),
    #[error("the organization is given twice: the accounts belong to one")]
    SecondOrganization,
    #[error("account `{0}` is made a member of the organization before the organization is given")]
    NoOrganization(String),
    #[error("`{member}` of `{principal}`: `{id}` is not an IAM unique id; give `{prefix}` and 17 uppercase letters or digits, such as `{example}`, as `aws iam {command}` shows it, or leave `{member}` out to have one derived from the ARN")]
    UniqueId {
        principal: String,
        member: &'static str,
        id: String,
        prefix: &'static str,
        example: &'static str,
        command: &'static str,
    },
    #[error("`{0}` is given two unique ids: an IAM user or role has one")]
    SecondUniqueId(String),
    #[error("the unique id `{id}` is given to both `{first}` and `{second}`: IAM never gives two principals one id")]
    SharedUniqueId { id: String, first: String, second: String },
}

/// Collects the policies, grants and facts around KMS decisions, checking
/// each as it comes, then [`AuthorizerBuilder::build`]s the [`Authorizer`].
#[derive(Debug, Default)]
pub struct AuthorizerBuilder {
    authorizer: Authorizer,
}

fn account(id: &str) -> Result<String, AuthorizerError> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id.to_owned())
    } else {
        Err(AuthorizerError::Account(id.to_owned()))
    }
}

/// Identity policies, boundaries and tags attach to an IAM user or role.
fn user_or_role(arn: &str) -> Result<String, AuthorizerError> {
    match Caller::parse(arn).map(|c| c.kind) {
        Ok(CallerKind::User | CallerKind::Role { .. }) => Ok(arn.to_owned()),
        _ => Err(AuthorizerError::NotUserOrRole(arn.to_owned())),
    }
}

impl AuthorizerBuilder {
    pub fn new() -> AuthorizerBuilder {
        AuthorizerBuilder::default()
    }

    /// Goes on from an authorizer already built (an accounts file's
    /// identities, to which a command adds its own policies).
    pub fn extend(authorizer: Authorizer) -> AuthorizerBuilder {
        AuthorizerBuilder { authorizer }
    }

    /// The key's policy; a later one replaces an earlier one.
    pub fn key_policy(&mut self, policy: CompiledPolicy) -> &mut Self {
        self.authorizer.key_policy = Some(policy);
        self
    }

    /// An identity policy attached to the user or role `principal`.
    pub fn identity_policy(&mut self, principal: &str, policy: CompiledPolicy) -> Result<&mut Self, AuthorizerError> {
        let principal = user_or_role(principal)?;
        self.authorizer.identity_policies.push((principal, policy));
        Ok(self)
    }

    /// The permissions boundary of the user or role `principal` (one each).
    pub fn boundary(&mut self, principal: &str, policy: CompiledPolicy) -> Result<&mut Self, AuthorizerError> {
        let principal = user_or_role(principal)?;
        if self.authorizer.boundaries.iter().any(|(p, _)| *p == principal) {
            return Err(AuthorizerError::SecondBoundary(principal));
        }
        self.authorizer.boundaries.push((principal, policy));
        Ok(self)
    }

    /// The session policy of the calling session.
    pub fn session_policy(&mut self, policy: CompiledPolicy) -> Result<&mut Self, AuthorizerError> {
        if self.authorizer.session_policy.is_some() {
            return Err(AuthorizerError::SecondSessionPolicy);
        }
        self.authorizer.session_policy = Some(policy);
        Ok(self)
    }

    /// A service control policy of `account` (an account has several).
    pub fn scp(&mut self, account_id: &str, policy: CompiledPolicy) -> Result<&mut Self, AuthorizerError> {
        self.authorizer.scps.push((account(account_id)?, policy));
        Ok(self)
    }

    /// A resource control policy of `account`.
    pub fn rcp(&mut self, account_id: &str, policy: CompiledPolicy) -> Result<&mut Self, AuthorizerError> {
        self.authorizer.rcps.push((account(account_id)?, policy));
        Ok(self)
    }

    /// The policy of the VPC endpoint `id` (`vpce-…`).
    pub fn vpc_endpoint_policy(&mut self, id: &str, policy: CompiledPolicy) -> Result<&mut Self, AuthorizerError> {
        let well_formed = id
            .strip_prefix("vpce-")
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !well_formed {
            return Err(AuthorizerError::Endpoint(id.to_owned()));
        }
        if self.authorizer.vpc_endpoint_policies.iter().any(|(e, _)| e == id) {
            return Err(AuthorizerError::SecondEndpointPolicy(id.to_owned()));
        }
        self.authorizer.vpc_endpoint_policies.push((id.to_owned(), policy));
        Ok(self)
    }

    /// The key's grants; later ones replace earlier ones.
    pub fn grants(&mut self, grants: Vec<Grant>) -> &mut Self {
        self.authorizer.grants = grants;
        self
    }

    /// The tags of the user or role `principal` (`aws:PrincipalTag/…`).
    pub fn principal_tags(
        &mut self,
        principal: &str,
        tags: BTreeMap<String, String>,
    ) -> Result<&mut Self, AuthorizerError> {
        let principal = user_or_role(principal)?;
        self.authorizer.principal_tags.push((principal, tags));
        Ok(self)
    }

    /// The unique id IAM gave the user or role `principal` (`AIDA…`, `AROA…`,
    /// [`crate::eval::unique_id`]): its `aws:userid` is made from it.
    pub fn unique_id(&mut self, principal: &str, id: &str) -> Result<&mut Self, AuthorizerError> {
        let kind = match Caller::parse(principal).map(|c| c.kind) {
            Ok(CallerKind::User) => IdKind::User,
            Ok(CallerKind::Role { .. }) => IdKind::Role,
            _ => return Err(AuthorizerError::NotUserOrRole(principal.to_owned())),
        };
        if !unique_id::is_valid(kind, id) {
            return Err(AuthorizerError::UniqueId {
                principal: principal.to_owned(),
                member: kind.member(),
                id: id.to_owned(),
                prefix: kind.prefix(),
                example: kind.example(),
                command: match kind {
                    IdKind::User => "get-user",
                    IdKind::Role => "get-role",
                },
            });
        }
        let ids = &mut self.authorizer.unique_ids;
        if ids.iter().any(|(p, _)| p == principal) {
            return Err(AuthorizerError::SecondUniqueId(principal.to_owned()));
        }
        if let Some((first, _)) = ids.iter().find(|(_, given)| given == id) {
            return Err(AuthorizerError::SharedUniqueId {
                id: id.to_owned(),
                first: first.clone(),
                second: principal.to_owned(),
            });
        }
        ids.push((principal.to_owned(), id.to_owned()));
        Ok(self)
    }

    /// The organization's management account, whose resources RCPs do not affect.
    pub fn management_account(&mut self, account_id: &str) -> Result<&mut Self, AuthorizerError> {
        self.authorizer.management_account = Some(account(account_id)?);
        Ok(self)
    }

    /// The organization (`o-…`) and its root (`r-…`); its members come
    /// with [`organization_member`](Self::organization_member).
    pub fn organization(&mut self, id: &str, root: &str) -> Result<&mut Self, AuthorizerError> {
        use super::organization::{check_id, check_root, Organization};
        if self.authorizer.organization.is_some() {
            return Err(AuthorizerError::SecondOrganization);
        }
        check_id(id)?;
        check_root(root)?;
        self.authorizer.organization = Some(Organization {
            id: id.to_owned(),
            root: root.to_owned(),
            members: BTreeMap::new(),
        });
        Ok(self)
    }

    /// Makes `account_id` a member of the organization, under the
    /// organizational units `units` from the root down (none: under the root).
    pub fn organization_member(&mut self, account_id: &str, units: &[String]) -> Result<&mut Self, AuthorizerError> {
        let account = account(account_id)?;
        for unit in units {
            super::organization::check_unit(unit)?;
        }
        let organization = self
            .authorizer
            .organization
            .as_mut()
            .ok_or_else(|| AuthorizerError::NoOrganization(account.clone()))?;
        organization.members.insert(account, units.to_vec());
        Ok(self)
    }

    pub fn build(self) -> Authorizer {
        self.authorizer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Document;
    use crate::source::Source;

    fn policy() -> CompiledPolicy {
        let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;
        let Ok(Document::Policy(p)) = Document::parse(&Source::new("p", text), None) else {
            unreachable!("a valid policy")
        };
        CompiledPolicy::compile("p", &p).expect("compiles")
    }

    #[test]
    fn policies_attach_to_users_and_roles_of_12_digit_accounts() {
        let mut b = AuthorizerBuilder::new();
        b.identity_policy("arn:aws:iam::111122223333:role/app", policy())
            .unwrap();
        b.scp("111122223333", policy()).unwrap();
        assert_eq!(
            b.identity_policy("arn:aws:sts::111122223333:assumed-role/app/s", policy())
                .err(),
            Some(AuthorizerError::NotUserOrRole(
                "arn:aws:sts::111122223333:assumed-role/app/s".into()
            ))
        );
        assert_eq!(
            b.rcp("1111", policy()).err(),
            Some(AuthorizerError::Account("1111".into()))
        );
        let built = b.build();
        assert_eq!(built.identity_policies.len(), 1);
        assert_eq!(built.scps.len(), 1);
        assert!(built.rcps.is_empty());
    }

    #[test]
    fn unique_ids_are_well_formed_one_per_principal_and_never_shared() {
        let mut b = AuthorizerBuilder::new();
        let app = "arn:aws:iam::111122223333:role/app";
        b.unique_id(app, "AROADBQP57FF2AEXAMPLE").unwrap();
        assert_eq!(
            b.unique_id(app, "AROADBQP57FF2AEXAMPLF").err(),
            Some(AuthorizerError::SecondUniqueId(app.into()))
        );
        assert!(matches!(
            b.unique_id("arn:aws:iam::111122223333:role/web", "AROADBQP57FF2AEXAMPLE"),
            Err(AuthorizerError::SharedUniqueId { .. })
        ));
        let bad = b
            .unique_id("arn:aws:iam::111122223333:user/u", "AROADBQP57FF2AEXAMPLE")
            .err();
        assert!(bad.is_some_and(|e| e.to_string().contains("give `AIDA` and 17")));
        assert!(matches!(
            b.unique_id("111122223333", "AIDACKCEVSQ6C2EXAMPLE"),
            Err(AuthorizerError::NotUserOrRole(_))
        ));
        let built = b.build();
        let mut session = Caller::parse("arn:aws:sts::111122223333:assumed-role/app/s").unwrap();
        built.identify(&mut session);
        assert_eq!(session.unique_id.as_deref(), Some("AROADBQP57FF2AEXAMPLE"));
        let mut other = Caller::parse("arn:aws:sts::111122223333:assumed-role/web/s").unwrap();
        built.identify(&mut other);
        assert_eq!(other.unique_id, None);
    }

    #[test]
    fn a_principal_has_one_boundary_a_session_one_policy_an_endpoint_one_policy() {
        let mut b = AuthorizerBuilder::new();
        let user = "arn:aws:iam::111122223333:user/u";
        b.boundary(user, policy()).unwrap();
        assert_eq!(
            b.boundary(user, policy()).err(),
            Some(AuthorizerError::SecondBoundary(user.into()))
        );
        b.session_policy(policy()).unwrap();
        assert_eq!(
            b.session_policy(policy()).err(),
            Some(AuthorizerError::SecondSessionPolicy)
        );
        b.vpc_endpoint_policy("vpce-1a2b", policy()).unwrap();
        assert_eq!(
            b.vpc_endpoint_policy("vpce-1a2b", policy()).err(),
            Some(AuthorizerError::SecondEndpointPolicy("vpce-1a2b".into()))
        );
        assert_eq!(
            b.vpc_endpoint_policy("endpoint-1", policy()).err(),
            Some(AuthorizerError::Endpoint("endpoint-1".into()))
        );
    }
}
