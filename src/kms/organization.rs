//! The organization the accounts belong to (AWS Organizations), as far as
//! authorization sees it: its id, and each member account's path from the
//! root through its organizational units. It gives the condition keys
//! `aws:PrincipalOrgID` and `aws:PrincipalOrgPaths` for the caller's account
//! and `aws:ResourceOrgID` and `aws:ResourceOrgPaths` for the resource's
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>).
//! A path is written as AWS writes it, `o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/`:
//! the organization, the root and each OU down to the account's parent, each
//! followed by `/`.

use std::collections::BTreeMap;

use crate::eval::{Caller, CallerKind, Context, ContextValue};

/// The organization and its member accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    /// `o-` and 10 to 32 lowercase letters or digits.
    pub id: String,
    /// `r-` and 4 to 32 lowercase letters or digits.
    pub root: String,
    /// Each member account's organizational units, from the root down.
    pub members: BTreeMap<String, Vec<String>>,
}

/// An organization, root or OU id that AWS would not issue.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OrganizationError {
    #[error("`{0}` is not an organization id: `o-` and 10 to 32 lowercase letters or digits, such as `o-a1b2c3d4e5`")]
    Id(String),
    #[error("`{0}` is not an organization root id: `r-` and 4 to 32 lowercase letters or digits, such as `r-ab12`")]
    Root(String),
    #[error("`{0}` is not an organizational unit id: `ou-`, the root's 4 to 32 characters, `-` and 8 to 32 lowercase letters or digits, such as `ou-ab12-11111111`")]
    Unit(String),
}

fn lower_alphanumeric(text: &str, lengths: std::ops::RangeInclusive<usize>) -> bool {
    lengths.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Organizations API reference, `Organization.Id`: `^o-[a-z0-9]{10,32}$`.
pub fn check_id(id: &str) -> Result<(), OrganizationError> {
    match id.strip_prefix("o-") {
        Some(rest) if lower_alphanumeric(rest, 10..=32) => Ok(()),
        _ => Err(OrganizationError::Id(id.to_owned())),
    }
}

/// `Root.Id`: `^r-[0-9a-z]{4,32}$`.
pub fn check_root(id: &str) -> Result<(), OrganizationError> {
    match id.strip_prefix("r-") {
        Some(rest) if lower_alphanumeric(rest, 4..=32) => Ok(()),
        _ => Err(OrganizationError::Root(id.to_owned())),
    }
}

/// `OrganizationalUnit.Id`: `^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`.
pub fn check_unit(id: &str) -> Result<(), OrganizationError> {
    let well_formed = id
        .strip_prefix("ou-")
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(root, unit)| lower_alphanumeric(root, 4..=32) && lower_alphanumeric(unit, 8..=32));
    if well_formed {
        Ok(())
    } else {
        Err(OrganizationError::Unit(id.to_owned()))
    }
}

impl Organization {
    /// The path of a member account's parent (`o-…/r-…/ou-…/`), or `None`
    /// for an account outside the organization.
    pub fn path(&self, account: &str) -> Option<String> {
        let units = self.members.get(account)?;
        let mut path = format!("{}/{}/", self.id, self.root);
        for unit in units {
            path.push_str(unit);
            path.push('/');
        }
        Some(path)
    }

    /// Adds the organization keys of the caller's account and of the
    /// resource's, each unless the request gives it. A service principal
    /// and an anonymous caller belong to no organization.
    pub fn add_keys(&self, caller: &Caller, resource_account: Option<&str>, context: &mut Context) {
        let of_caller = match caller.kind {
            CallerKind::Service | CallerKind::Anonymous => None,
            _ => caller.account.as_deref(),
        };
        for (account, id_key, paths_key) in [
            (of_caller, "aws:PrincipalOrgID", "aws:PrincipalOrgPaths"),
            (resource_account, "aws:ResourceOrgID", "aws:ResourceOrgPaths"),
        ] {
            let Some(path) = account.and_then(|a| self.path(a)) else {
                continue;
            };
            if !context.contains(id_key) {
                context.insert_one(id_key, self.id.clone());
            }
            // Multi-valued (`ArrayOfString`): policies test it with `ForAnyValue:`.
            if !context.contains(paths_key) {
                context.insert(paths_key, ContextValue::Many(vec![path]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn organization() -> Organization {
        Organization {
            id: "o-a1b2c3d4e5".into(),
            root: "r-ab12".into(),
            members: BTreeMap::from([
                (
                    "111122223333".into(),
                    vec!["ou-ab12-11111111".into(), "ou-ab12-22222222".into()],
                ),
                ("444455556666".into(), vec![]),
            ]),
        }
    }

    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths
    #[test]
    fn a_members_path_runs_from_the_organization_through_its_units_with_a_slash_after_each() {
        let org = organization();
        assert_eq!(
            org.path("111122223333").as_deref(),
            Some("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/")
        );
        assert_eq!(org.path("444455556666").as_deref(), Some("o-a1b2c3d4e5/r-ab12/"));
        assert_eq!(org.path("999999999999"), None);
    }

    #[test]
    fn the_callers_and_the_resources_accounts_give_their_own_keys_and_explicit_ones_stay() {
        let org = organization();
        let caller = Caller::parse("arn:aws:iam::111122223333:role/app").unwrap();
        let mut context = Context::new();
        context.insert_one("aws:ResourceOrgID", "o-given00000");
        org.add_keys(&caller, Some("444455556666"), &mut context);
        let one = |v: &str| Some(ContextValue::One(v.to_owned()));
        let many = |v: &str| Some(ContextValue::Many(vec![v.to_owned()]));
        assert_eq!(context.get("aws:PrincipalOrgID").cloned(), one("o-a1b2c3d4e5"));
        assert_eq!(
            context.get("aws:PrincipalOrgPaths").cloned(),
            many("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/")
        );
        assert_eq!(context.get("aws:ResourceOrgID").cloned(), one("o-given00000"));
        assert_eq!(
            context.get("aws:ResourceOrgPaths").cloned(),
            many("o-a1b2c3d4e5/r-ab12/")
        );
    }

    #[test]
    fn an_account_outside_and_a_service_principal_have_no_organization() {
        let org = organization();
        let mut context = Context::new();
        let outsider = Caller::parse("arn:aws:iam::999999999999:root").unwrap();
        org.add_keys(&outsider, Some("999999999999"), &mut context);
        let service = Caller::parse("cloudtrail.amazonaws.com").unwrap();
        org.add_keys(&service, None, &mut context);
        assert!(context.get("aws:PrincipalOrgID").is_none());
        assert!(context.get("aws:ResourceOrgID").is_none());
    }

    #[test]
    fn ids_follow_the_organizations_api_patterns() {
        assert!(check_id("o-a1b2c3d4e5").is_ok());
        assert!(check_id("o-A1B2C3D4E5").is_err());
        assert!(check_id("o-short").is_err());
        assert!(check_root("r-ab12").is_ok());
        assert!(check_root("r-ab1").is_err());
        assert!(check_unit("ou-ab12-11111111").is_ok());
        assert!(check_unit("ou-ab12-1111111").is_err());
        assert!(check_unit("ou-ab1211111111").is_err());
    }
}
