//! What is being decided: who ([`Caller`]) wants to do what (`action`) to
//! which resource, with which context values ([`Context`]).

use rustc_hash::FxHashMap;
use std::fmt;

use super::unique_id::{self, IdKind};

/// An authorization request as the evaluator sees it. Time and every other
/// environmental fact arrive in the context (`aws:CurrentTime`, …); the
/// evaluator reads no clock.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub caller: Caller,
    /// `service:Action`, compared case-insensitively.
    pub action: String,
    /// The resource ARN (for KMS, the key ARN).
    pub resource: String,
    pub context: Context,
}

/// The principal making a request, parsed from its ARN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The ARN as given, or a service principal name such as `cloudtrail.amazonaws.com`.
    pub arn: String,
    /// The 12-digit account, for everything but service principals.
    pub account: Option<String>,
    pub kind: CallerKind,
    /// The AWS service calling on this principal's behalf, as its endpoint
    /// (`s3.us-east-1.amazonaws.com`): it fills `kms:ViaService` and makes
    /// `aws:ViaAWSService` true. `None` for a direct call.
    pub via_service: Option<String>,
    /// Where a direct call came from (`aws:SourceIp`, `sourceIPAddress`),
    /// when known: the server knows it, the CLI does not.
    pub source_ip: Option<String>,
    /// The client's `User-Agent` (`aws:UserAgent`, `userAgent`), when known.
    pub user_agent: Option<String>,
    /// The unique id of the caller's IAM user or role (a session's: its
    /// role's) when one is given, the accounts file's `UserId` or `RoleId`
    /// (see [`crate::kms::Authorizer::identify`]); without one, it is
    /// derived from the ARN ([`super::unique_id`]).
    pub unique_id: Option<String>,
    /// An assumed-role session's session tags (STS `AssumeRole` `Tags`):
    /// `aws:PrincipalTag/<key>`, over the role's tag of the same key
    /// (IAM User Guide, id_session-tags.html).
    pub session_tags: Vec<(String, String)>,
}

/// What kind of principal a [`Caller`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallerKind {
    /// The account itself: `arn:aws:iam::111122223333:root`.
    Root,
    User,
    /// A role acting as itself (rare: requests normally come from sessions).
    Role {
        name: String,
    },
    /// A session of a role: `arn:aws:sts::111122223333:assumed-role/Name/session`.
    AssumedRole {
        role_name: String,
    },
    FederatedUser,
    /// An AWS service principal such as `cloudtrail.amazonaws.com`.
    Service,
    /// An unsigned request (`anonymous`): only `"Principal": "*"` names it.
    Anonymous,
}

/// The caller's ARN is not a principal ARN keyward understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidCaller(pub String);

impl fmt::Display for InvalidCaller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a principal: expected an account id, `arn:aws:iam::<account>:root|user/…|role/…`, `arn:aws:sts::<account>:assumed-role/<role>/<session>|federated-user/…`, a service principal such as `cloudtrail.amazonaws.com`, or `anonymous`",
            self.0
        )
    }
}

impl std::error::Error for InvalidCaller {}

/// The name prefix of every service-linked role (`AWSServiceRoleForAutoScaling`).
const SERVICE_LINKED_ROLE_PREFIX: &str = "AWSServiceRoleFor";

/// Is `arn` the ARN of a service-linked role: an IAM role under the path
/// `/aws-service-role/`?
pub fn is_service_linked_role_arn(arn: &str) -> bool {
    match crate::arn::Arn::parse(arn) {
        Some(crate::arn::Arn {
            service: "iam",
            resource,
            ..
        }) => resource.starts_with("role/aws-service-role/"),
        _ => false,
    }
}

fn is_account(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

impl Caller {
    /// Parses `arn:aws:iam::…`, `arn:aws:sts::…`, a bare 12-digit account
    /// (meaning its root) or a service principal.
    pub fn parse(text: &str) -> Result<Caller, InvalidCaller> {
        let invalid = || InvalidCaller(text.to_owned());
        if text == "anonymous" {
            return Ok(Caller {
                arn: text.to_owned(),
                account: None,
                kind: CallerKind::Anonymous,
                via_service: None,
                source_ip: None,
                user_agent: None,
                unique_id: None,
                session_tags: Vec::new(),
            });
        }
        if is_account(text) {
            return Ok(Caller {
                arn: format!("arn:aws:iam::{text}:root"),
                account: Some(text.to_owned()),
                kind: CallerKind::Root,
                via_service: None,
                source_ip: None,
                user_agent: None,
                unique_id: None,
                session_tags: Vec::new(),
            });
        }
        if !text.starts_with("arn:") {
            let looks_like_service = text.contains('.') && !text.contains(['/', ':', ' ']);
            return looks_like_service
                .then(|| Caller {
                    arn: text.to_owned(),
                    account: None,
                    kind: CallerKind::Service,
                    via_service: None,
                    source_ip: None,
                    user_agent: None,
                    unique_id: None,
                    session_tags: Vec::new(),
                })
                .ok_or_else(invalid);
        }
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        let [_, _partition, service, region, account, resource] = parts.as_slice() else {
            return Err(invalid());
        };
        if !region.is_empty() || !is_account(account) {
            return Err(invalid());
        }
        let path_last = |rest: &str| rest.rsplit('/').next().unwrap_or(rest).to_owned();
        let kind = match (*service, *resource) {
            ("iam", "root") => CallerKind::Root,
            ("iam", r) if r.starts_with("user/") && r.len() > 5 => CallerKind::User,
            ("iam", r) if r.starts_with("role/") && r.len() > 5 => CallerKind::Role { name: path_last(r) },
            ("sts", r) if r.starts_with("assumed-role/") => {
                let mut segments = r["assumed-role/".len()..].splitn(2, '/');
                match (segments.next(), segments.next()) {
                    (Some(role), Some(session)) if !role.is_empty() && !session.is_empty() => CallerKind::AssumedRole {
                        role_name: role.to_owned(),
                    },
                    _ => return Err(invalid()),
                }
            }
            ("sts", r) if r.starts_with("federated-user/") && r.len() > 15 => CallerKind::FederatedUser,
            _ => return Err(invalid()),
        };
        Ok(Caller {
            arn: text.to_owned(),
            account: Some((*account).to_owned()),
            kind,
            via_service: None,
            source_ip: None,
            user_agent: None,
            unique_id: None,
            session_tags: Vec::new(),
        })
    }

    /// The same principal, calling through an AWS service whose endpoint is
    /// `service` (`s3.us-east-1.amazonaws.com`).
    pub fn via(self, service: impl Into<String>) -> Caller {
        Caller {
            via_service: Some(service.into()),
            ..self
        }
    }

    /// The value of `aws:PrincipalType`.
    pub fn principal_type(&self) -> &'static str {
        match self.kind {
            CallerKind::Root => "Account",
            CallerKind::User => "User",
            CallerKind::Role { .. } | CallerKind::AssumedRole { .. } => "AssumedRole",
            CallerKind::FederatedUser => "FederatedUser",
            CallerKind::Service => "Service",
            CallerKind::Anonymous => "Anonymous",
        }
    }

    /// Does a policy attached to `attached_to` (a user or role ARN) belong
    /// to this caller? A role's policies belong to its sessions too.
    pub fn owns(&self, attached_to: &str) -> bool {
        if attached_to == self.arn {
            return true;
        }
        let CallerKind::AssumedRole { role_name } = &self.kind else {
            return false;
        };
        // Without allocating: the KMS authorizer asks this on every decision.
        match crate::arn::Arn::parse(attached_to) {
            Some(crate::arn::Arn {
                service: "iam",
                region: "",
                account,
                resource,
                ..
            }) => {
                self.account.as_deref() == Some(account)
                    && resource.starts_with("role/")
                    && resource.rsplit('/').next() == Some(role_name.as_str())
            }
            _ => false,
        }
    }

    /// Is the caller a service-linked role or one of its sessions? A role
    /// ARN says so by its path (`role/aws-service-role/…`, IAM User Guide,
    /// using-service-linked-roles.html); a session ARN carries no path, so a
    /// session counts when its role's name has the prefix AWS gives every
    /// service-linked role, `AWSServiceRoleFor` (a choice, docs/evaluation.md).
    pub fn is_service_linked_role(&self) -> bool {
        match &self.kind {
            CallerKind::Role { .. } => is_service_linked_role_arn(&self.arn),
            CallerKind::AssumedRole { role_name } => role_name
                .get(..SERVICE_LINKED_ROLE_PREFIX.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(SERVICE_LINKED_ROLE_PREFIX)),
            _ => false,
        }
    }

    /// The ARN `aws:PrincipalArn` reports: for a role session, the role.
    pub fn principal_arn(&self) -> String {
        match (&self.kind, &self.account) {
            (CallerKind::AssumedRole { role_name }, Some(account)) => {
                let partition = self.arn.split(':').nth(1).unwrap_or("aws");
                format!("arn:{partition}:iam::{account}:role/{role_name}")
            }
            _ => self.arn.clone(),
        }
    }

    /// The value of `aws:userid` (also `GetCallerIdentity`'s `UserId` and
    /// CloudTrail's `userIdentity.principalId`), by the IAM User Guide's
    /// table of principal key values
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable>):
    /// the account id for the root user, the user's unique id for a user,
    /// `<role id>:<session name>` for a role session, `<account>:<name>` for
    /// a federated user, `anonymous` for an unsigned request; a service
    /// principal has none. A role acting as itself (which AWS never does:
    /// keyward's stand-in for its sessions) is `<role id>:<role name>`.
    pub fn user_id(&self) -> Option<String> {
        let account = self.account.as_deref();
        let partition = self.arn.split(':').nth(1).unwrap_or("aws");
        let last = || self.arn.rsplit('/').next().unwrap_or_default();
        let own = |kind: IdKind, name: &str| match &self.unique_id {
            Some(id) => id.clone(),
            None => unique_id::derive(kind, partition, account.unwrap_or_default(), name),
        };
        let role_and = |role: &str, session: &str| {
            let mut id = own(IdKind::Role, role);
            id.push(':');
            id.push_str(session);
            id
        };
        match &self.kind {
            CallerKind::Root => account.map(str::to_owned),
            CallerKind::User => Some(own(IdKind::User, last())),
            CallerKind::Role { name } => Some(role_and(name, name)),
            CallerKind::AssumedRole { role_name } => {
                // `assumed-role/<role>/<session>`: the session is all after the role.
                let session = self
                    .arn
                    .split_once(":assumed-role/")
                    .and_then(|(_, rest)| rest.split_once('/'))
                    .map_or_else(last, |(_, session)| session);
                Some(role_and(role_name, session))
            }
            CallerKind::FederatedUser => {
                let name = self.arn.split_once(":federated-user/").map_or("", |(_, name)| name);
                Some(format!("{}:{name}", account.unwrap_or_default()))
            }
            CallerKind::Service => None,
            CallerKind::Anonymous => Some("anonymous".to_owned()),
        }
    }
}

/// One context value: single-valued keys hold one string, multi-valued keys
/// (`kms:EncryptionContextKeys`, `aws:TagKeys`, …) a set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContextValue {
    One(String),
    Many(Vec<String>),
}

/// Context keys and their values. Key names are case-insensitive (§8.7), so
/// they are stored lower-cased and looked up without allocating.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// Fx hashing: every condition looks a key up, and a request carries a
    /// few dozen keys at most, too few for collisions to matter.
    values: FxHashMap<String, ContextValue>,
}

/// Lower-cases a context key name the way every lookup does.
pub fn fold_key(key: &str) -> String {
    key.to_lowercase()
}

impl Context {
    pub fn new() -> Self {
        Context::default()
    }

    /// Sets a key, replacing any value it had.
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        self.values.insert(fold_key(key), value);
    }

    pub fn insert_one(&mut self, key: &str, value: impl Into<String>) {
        self.insert(key, ContextValue::One(value.into()));
    }

    /// Looks up a key already folded with [`fold_key`].
    pub fn get_folded(&self, folded_key: &str) -> Option<&ContextValue> {
        self.values.get(folded_key)
    }

    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.values.get(&fold_key(key))
    }

    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_principal_form() {
        assert_eq!(Caller::parse("111122223333").unwrap().kind, CallerKind::Root);
        assert_eq!(
            Caller::parse("arn:aws:iam::111122223333:root").unwrap().kind,
            CallerKind::Root
        );
        assert_eq!(
            Caller::parse("arn:aws:iam::111122223333:user/ops/Alice").unwrap().kind,
            CallerKind::User
        );
        let session = Caller::parse("arn:aws:sts::111122223333:assumed-role/app/i-123").unwrap();
        assert_eq!(
            session.kind,
            CallerKind::AssumedRole {
                role_name: "app".into()
            }
        );
        assert_eq!(session.principal_arn(), "arn:aws:iam::111122223333:role/app");
        assert_eq!(session.principal_type(), "AssumedRole");
        assert_eq!(
            Caller::parse("cloudtrail.amazonaws.com").unwrap().kind,
            CallerKind::Service
        );
        for bad in [
            "",
            "bob",
            "arn:aws:iam::1:root",
            "arn:aws:iam::111122223333:group/x",
            "arn:aws:sts::111122223333:assumed-role/app",
        ] {
            assert!(Caller::parse(bad).is_err(), "{bad}");
        }
    }

    /// The IAM User Guide's principal key values,
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable.
    #[test]
    fn aws_userid_takes_the_form_aws_gives_each_kind_of_principal() {
        let user_id = |arn: &str| Caller::parse(arn).unwrap().user_id();
        assert_eq!(user_id("111122223333").as_deref(), Some("111122223333"));
        let alice = user_id("arn:aws:iam::111122223333:user/ops/alice").unwrap();
        assert_eq!(alice, unique_id::derive(IdKind::User, "aws", "111122223333", "alice"));
        let role = unique_id::derive(IdKind::Role, "aws", "111122223333", "app");
        assert_eq!(
            user_id("arn:aws:sts::111122223333:assumed-role/app/i-0abc").unwrap(),
            format!("{role}:i-0abc")
        );
        // The path does not change the id: a role and its sessions agree.
        assert_eq!(
            user_id("arn:aws:iam::111122223333:role/team/app").unwrap(),
            format!("{role}:app")
        );
        assert_eq!(
            user_id("arn:aws:sts::111122223333:federated-user/bob").as_deref(),
            Some("111122223333:bob")
        );
        assert_eq!(user_id("anonymous").as_deref(), Some("anonymous"));
        assert_eq!(user_id("cloudtrail.amazonaws.com"), None);
        let mut session = Caller::parse("arn:aws:sts::111122223333:assumed-role/app/s").unwrap();
        session.unique_id = Some("AROADBQP57FF2AEXAMPLE".into());
        assert_eq!(session.user_id().as_deref(), Some("AROADBQP57FF2AEXAMPLE:s"));
    }

    #[test]
    fn context_keys_are_case_insensitive() {
        let mut ctx = Context::new();
        ctx.insert_one("kms:EncryptionContext:Dept", "eng");
        assert_eq!(
            ctx.get("KMS:encryptioncontext:dept"),
            Some(&ContextValue::One("eng".into()))
        );
    }
}
