//! The accounts file: who the callers are. Accounts with their SCPs and
//! RCPs; users and roles with identity policies, a permissions boundary,
//! tags and a short name. `simulate`-style evaluation, the runtime, the REPL
//! and the server all read it.
//!
//! ```json
//! {"accounts": {
//!   "111122223333": {
//!     "scps": ["scp.json"], "rcps": [],
//!     "principals": {
//!       "arn:aws:iam::111122223333:role/app": {
//!         "name": "app", "policies": ["app.json", {"Statement": []}],
//!         "boundary": "boundary.json", "tags": {"team": "billing"},
//!         "RoleId": "AROADBQP57FF2AEXAMPLE",
//!         "access_keys": {"AKIAAPP0000000000001": {"secret": "…", "session": "worker"}}}}}}}
//! ```
//!
//! An optional `"organization": {"id": "o-…", "root": "r-…"}` makes every
//! account a member (unless `"in_organization": false`), under its `"ous"`
//! from the root down: the `aws:PrincipalOrgID`/`aws:ResourceOrgID` keys
//! and their paths ([`crate::kms::organization`]).
//!
//! Paths are relative to the accounts file; any policy may be inline. A
//! user's `UserId` or a role's `RoleId` is its unique id (`aws:userid`);
//! without one, it is derived from the ARN (`crate::eval::unique_id`).
//! Access keys (for `keyward serve`) belong to a principal, or to the
//! account's root when listed beside `principals`; a role's key signs as a
//! session of the role (`session`, default `keyward`). A role may have a
//! `trust_policy` and a `max_session_duration` for `keyward serve`'s STS
//! `AssumeRole` ([`Role`]).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

use super::load::{load_policy, LoadError, Sources};
use super::run::SuiteError;
use crate::eval::{Caller, CallerKind, CompiledPolicy};
use crate::kms::{Authorizer, AuthorizerBuilder};
use crate::policy::DocumentKind;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountsFile {
    accounts: BTreeMap<String, AccountFile>,
    /// The organization's management account: RCPs do not affect its resources.
    #[serde(default)]
    management_account: Option<String>,
    /// The organization every account of the file belongs to, unless it
    /// says `"in_organization": false`.
    #[serde(default)]
    organization: Option<OrganizationFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganizationFile {
    id: String,
    root: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountFile {
    #[serde(default)]
    scps: Vec<Box<RawValue>>,
    #[serde(default)]
    rcps: Vec<Box<RawValue>>,
    #[serde(default)]
    principals: BTreeMap<String, PrincipalFile>,
    /// The root user's access keys.
    #[serde(default)]
    access_keys: BTreeMap<String, AccessKeyFile>,
    /// The organizational units the account is in, from the root down.
    #[serde(default)]
    ous: Vec<String>,
    /// `false` for an account outside the file's organization.
    #[serde(default = "yes")]
    in_organization: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccessKeyFile {
    secret: Zeroizing<String>,
    #[serde(default)]
    session: Option<String>,
}

impl std::fmt::Debug for AccessKeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessKeyFile([REDACTED])")
    }
}

/// An access key's secret and the principal that signs with it.
#[derive(Clone)]
pub struct AccessKey {
    /// The caller's ARN: a user, a role session or an account's root.
    pub principal: String,
    pub secret: Zeroizing<String>,
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKey")
            .field("principal", &self.principal)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrincipalFile {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    policies: Vec<Box<RawValue>>,
    #[serde(default)]
    boundary: Option<Box<RawValue>>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    access_keys: BTreeMap<String, AccessKeyFile>,
    /// A role's trust policy (`AssumeRolePolicyDocument`): who may assume it
    /// through `keyward serve`'s STS.
    #[serde(default)]
    trust_policy: Option<Box<RawValue>>,
    /// A role's longest session in seconds (`MaxSessionDuration`).
    #[serde(default)]
    max_session_duration: Option<u32>,
    /// A user's unique id (`AIDA…`), as IAM's `GetUser` returns it.
    #[serde(default, rename = "UserId")]
    user_id: Option<String>,
    /// A role's unique id (`AROA…`), as IAM's `GetRole` returns it.
    #[serde(default, rename = "RoleId")]
    role_id: Option<String>,
}

/// What `sts:AssumeRole` needs of a role.
#[derive(Clone, Debug)]
pub struct Role {
    /// Who may assume it (`AssumeRolePolicyDocument`); none: nobody.
    pub trust_policy: Option<CompiledPolicy>,
    /// The longest session in seconds: 3,600 (AWS's default) to 43,200.
    pub max_session_duration: u32,
}

/// A role's session lasts at most this long unless it says otherwise
/// (IAM `CreateRole`, `MaxSessionDuration`).
pub const DEFAULT_MAX_SESSION_SECONDS: u32 = 3600;

/// The IAM bounds of `MaxSessionDuration`.
pub const MAX_SESSION_SECONDS: std::ops::RangeInclusive<u32> = 3600..=43_200;

/// The identities of an accounts file, ready to authorize with.
#[derive(Debug, Default)]
pub struct Accounts {
    /// Identity policies, boundaries, SCPs, RCPs and principal tags; a key
    /// supplies its own policy and grants.
    pub identities: Authorizer,
    /// Short names (`app`) and the principal ARNs they stand for.
    pub names: BTreeMap<String, String>,
    /// Access key ids and what they sign as.
    pub access_keys: BTreeMap<String, AccessKey>,
    /// The roles, by role ARN, with what assuming them needs.
    pub roles: BTreeMap<String, Role>,
    pub sources: Sources,
}

impl Accounts {
    /// Reads an accounts file; every policy in it must be valid.
    pub fn load(path: &Path) -> Result<Accounts, SuiteError> {
        let display = path.display().to_string();
        let invalid = |message: String| SuiteError::AccountsInvalid {
            path: display.clone(),
            message,
        };
        // The text holds the access keys' secrets.
        let text = crate::source::read::secret_text(path, crate::source::read::Kind::Accounts).map_err(|e| {
            SuiteError::AccountsUnreadable {
                path: display.clone(),
                message: e.reason(),
            }
        })?;
        let file: AccountsFile = serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut accounts = Accounts::default();
        let mut builder = AuthorizerBuilder::new();
        let rejected = |e: crate::kms::AuthorizerError| invalid(e.to_string());
        if let Some(account) = &file.management_account {
            builder.management_account(account).map_err(rejected)?;
        }
        if let Some(organization) = &file.organization {
            builder
                .organization(&organization.id, &organization.root)
                .map_err(rejected)?;
        }
        let policy = |raw: &RawValue,
                      label: String,
                      kind: DocumentKind,
                      sources: &mut Sources|
         -> Result<CompiledPolicy, LoadError> {
            let loaded = match serde_json::from_str::<String>(raw.get()) {
                Ok(file) => load_policy(&base.join(file), None, Some(kind))?,
                Err(_) => load_policy(
                    Path::new(&format!("{display}#{label}")),
                    Some(raw.get().to_owned()),
                    Some(kind),
                )?,
            };
            sources.add(loaded.source);
            Ok(loaded.policy)
        };
        for (account, entry) in &file.accounts {
            if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(format!("`{account}` is not a 12-digit account id")));
            }
            match (&file.organization, entry.in_organization) {
                (Some(_), true) => {
                    builder.organization_member(account, &entry.ous).map_err(rejected)?;
                }
                _ if !entry.ous.is_empty() => {
                    return Err(invalid(format!(
                        "account {account} lists `ous` but is in no organization: add a top-level `\"organization\": {{\"id\": \"o-…\", \"root\": \"r-…\"}}`, or remove its `ous`"
                    )))
                }
                _ => {}
            }
            for (i, raw) in entry.scps.iter().enumerate() {
                let scp = policy(
                    raw,
                    format!("{account}.scps[{i}]"),
                    DocumentKind::IdentityPolicy,
                    &mut accounts.sources,
                )?;
                builder.scp(account, scp).map_err(rejected)?;
            }
            for (i, raw) in entry.rcps.iter().enumerate() {
                let rcp = policy(
                    raw,
                    format!("{account}.rcps[{i}]"),
                    DocumentKind::Policy,
                    &mut accounts.sources,
                )?;
                builder.rcp(account, rcp).map_err(rejected)?;
            }
            for (arn, principal) in &entry.principals {
                let caller = Caller::parse(arn).map_err(|e| invalid(e.to_string()))?;
                if caller.account.as_deref() != Some(account.as_str()) {
                    return Err(invalid(format!("`{arn}` is not a principal of account {account}")));
                }
                for (i, raw) in principal.policies.iter().enumerate() {
                    let compiled = policy(
                        raw,
                        format!("{arn}.policies[{i}]"),
                        DocumentKind::IdentityPolicy,
                        &mut accounts.sources,
                    )?;
                    builder.identity_policy(arn, compiled).map_err(rejected)?;
                }
                if let Some(raw) = &principal.boundary {
                    let compiled = policy(
                        raw,
                        format!("{arn}.boundary"),
                        DocumentKind::IdentityPolicy,
                        &mut accounts.sources,
                    )?;
                    builder.boundary(arn, compiled).map_err(rejected)?;
                }
                // The member must match the kind; any other principal is
                // refused by the builder (only users and roles have ids).
                let given = match (&caller.kind, &principal.user_id, &principal.role_id) {
                    (CallerKind::User, _, Some(_)) => {
                        return Err(invalid(format!(
                            "`{arn}` is a user: give its unique id as `UserId` (`AIDA…`), not `RoleId`"
                        )))
                    }
                    (CallerKind::Role { .. }, Some(_), _) => {
                        return Err(invalid(format!(
                            "`{arn}` is a role: give its unique id as `RoleId` (`AROA…`), not `UserId`"
                        )))
                    }
                    (_, Some(id), _) | (_, None, Some(id)) => Some(id),
                    (_, None, None) => None,
                };
                if let Some(id) = given {
                    builder.unique_id(arn, id).map_err(rejected)?;
                }
                if !principal.tags.is_empty() {
                    builder.principal_tags(arn, principal.tags.clone()).map_err(rejected)?;
                }
                if let CallerKind::Role { .. } = caller.kind {
                    let trust_policy = match &principal.trust_policy {
                        Some(raw) => Some(policy(
                            raw,
                            format!("{arn}.trust_policy"),
                            DocumentKind::RoleTrustPolicy,
                            &mut accounts.sources,
                        )?),
                        None => None,
                    };
                    let max_session_duration = principal.max_session_duration.unwrap_or(DEFAULT_MAX_SESSION_SECONDS);
                    if !MAX_SESSION_SECONDS.contains(&max_session_duration) {
                        return Err(invalid(format!(
                            "`{arn}`: `max_session_duration` {max_session_duration} is outside 3600 to 43200 seconds"
                        )));
                    }
                    let role = Role {
                        trust_policy,
                        max_session_duration,
                    };
                    accounts.roles.insert(arn.clone(), role);
                } else if principal.trust_policy.is_some() || principal.max_session_duration.is_some() {
                    return Err(invalid(format!(
                        "`{arn}` is not a role: only a role has a `trust_policy` and a `max_session_duration`"
                    )));
                }
                for (id, key) in &principal.access_keys {
                    let signer = match &caller.kind {
                        CallerKind::Role { name } => {
                            let session = key.session.as_deref().unwrap_or("keyward");
                            format!("arn:aws:sts::{account}:assumed-role/{name}/{session}")
                        }
                        _ if key.session.is_some() => {
                            return Err(invalid(format!("access key `{id}`: only a role's keys have a session")))
                        }
                        _ => arn.clone(),
                    };
                    accounts.add_access_key(id, signer, &key.secret).map_err(invalid)?;
                }
                if let Some(name) = &principal.name {
                    if let Some(previous) = accounts.names.insert(name.clone(), arn.clone()) {
                        return Err(invalid(format!(
                            "the name `{name}` is given to both `{previous}` and `{arn}`"
                        )));
                    }
                }
            }
            for (id, key) in &entry.access_keys {
                if key.session.is_some() {
                    return Err(invalid(format!("access key `{id}`: only a role's keys have a session")));
                }
                accounts
                    .add_access_key(id, format!("arn:aws:iam::{account}:root"), &key.secret)
                    .map_err(invalid)?;
            }
        }
        accounts.identities = builder.build();
        Ok(accounts)
    }

    fn add_access_key(&mut self, id: &str, principal: String, secret: &Zeroizing<String>) -> Result<(), String> {
        let well_formed = (16..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric());
        if !well_formed {
            return Err(format!("`{id}` is not an access key id: 16 to 128 letters and digits"));
        }
        if secret.is_empty() {
            return Err(format!("access key `{id}` has an empty secret"));
        }
        let key = AccessKey {
            principal,
            secret: secret.clone(),
        };
        match self.access_keys.insert(id.to_owned(), key) {
            Some(_) => Err(format!("the access key `{id}` is given twice")),
            None => Ok(()),
        }
    }

    /// A principal by short name or ARN, with the unique id the file gives it.
    pub fn caller(&self, name_or_arn: &str) -> Result<Caller, String> {
        let arn = self.names.get(name_or_arn).map_or(name_or_arn, String::as_str);
        let mut caller = Caller::parse(arn).map_err(|e| e.to_string())?;
        self.identities.identify(&mut caller);
        Ok(caller)
    }
}
