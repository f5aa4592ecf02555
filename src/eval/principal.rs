//! Principal matching (§5.5, §8.2). A caller is seen as a chain of
//! identities — its account, its role (for a role session) and itself — and
//! a principal element names some of them. Whether it named the caller
//! itself or only its account matters to KMS: an account principal delegates
//! to the account's IAM policies.

use super::request::{Caller, CallerKind};
use crate::policy::{Principal, PrincipalKind};

/// How a `Principal` element matched a caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalMatch {
    /// Only through the caller's account (`arn:aws:iam::<account>:root` or
    /// the bare account id): the key policy delegates to IAM policies.
    Account,
    /// Named the caller's role (the caller is a session of it).
    Role,
    /// Named the caller itself, or everyone (`*`).
    Direct,
}

/// A compiled `Principal` / `NotPrincipal`.
#[derive(Clone, Debug, PartialEq)]
pub struct PrincipalMatcher {
    patterns: Vec<Pattern>,
}

#[derive(Clone, Debug, PartialEq)]
enum Pattern {
    Everyone,
    Account(String),
    /// A role, by account and name (its path is not part of session ARNs).
    Role {
        account: String,
        name: String,
    },
    /// A user, session, federated user, service, federated or canonical id.
    Exact {
        kind: PrincipalKind,
        id: String,
    },
}

fn account_of(id: &str) -> Option<&str> {
    let is_account = |t: &str| t.len() == 12 && t.bytes().all(|b| b.is_ascii_digit());
    if is_account(id) {
        return Some(id);
    }
    let parts: Vec<&str> = id.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "iam", "", account, "root"] if is_account(account) => Some(account),
        _ => None,
    }
}

fn role_of(id: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = id.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "iam", "", account, resource] if resource.starts_with("role/") => {
            let name = resource.rsplit('/').next().unwrap_or(resource);
            Some(((*account).to_owned(), name.to_owned()))
        }
        _ => None,
    }
}

impl PrincipalMatcher {
    pub fn compile(principal: &Principal) -> PrincipalMatcher {
        let patterns = match principal {
            Principal::Any => vec![Pattern::Everyone],
            Principal::Map(entries) => entries
                .iter()
                .flat_map(|entry| entry.ids.iter().map(move |id| (entry.kind.node, id.as_str())))
                .map(|(kind, id)| match kind {
                    PrincipalKind::Aws if id == "*" => Pattern::Everyone,
                    PrincipalKind::Aws => match (account_of(id), role_of(id)) {
                        (Some(account), _) => Pattern::Account(account.to_owned()),
                        (None, Some((account, name))) => Pattern::Role { account, name },
                        (None, None) => Pattern::Exact {
                            kind,
                            id: id.to_owned(),
                        },
                    },
                    _ => Pattern::Exact {
                        kind,
                        id: id.to_owned(),
                    },
                })
                .collect(),
        };
        PrincipalMatcher { patterns }
    }

    /// The strongest way any listed principal matches the caller.
    pub fn matches(&self, caller: &Caller) -> Option<PrincipalMatch> {
        self.patterns.iter().filter_map(|p| pattern_matches(p, caller)).max()
    }

    /// `NotPrincipal` in a `Deny` statement: the caller escapes it only when
    /// *every* identity in its chain (account, role, session or user) is
    /// listed (IAM User Guide, reference_policies_elements_notprincipal.html); `Err`
    /// names the first level that is not listed.
    pub fn deny_excludes(&self, caller: &Caller) -> Result<(), PrincipalLevel> {
        let listed = |level: PrincipalLevel| self.patterns.iter().any(|p| level_listed(p, level, caller));
        // A service principal has no account level; the root user is only its account.
        if caller.account.is_some() && !listed(PrincipalLevel::Account) {
            return Err(PrincipalLevel::Account);
        }
        if matches!(caller.kind, CallerKind::AssumedRole { .. }) && !listed(PrincipalLevel::Role) {
            return Err(PrincipalLevel::Role);
        }
        if caller.kind != CallerKind::Root && !listed(PrincipalLevel::Itself) {
            return Err(PrincipalLevel::Itself);
        }
        Ok(())
    }

    /// `NotPrincipal` in an `Allow` statement (which AWS no longer supports,
    /// and once documented as "allows all principals except the one named"):
    /// it never applies to a principal it lists at any level, so it cannot
    /// grant the very principal it excludes. `Some` names the listed level.
    pub fn allow_excludes(&self, caller: &Caller) -> Option<PrincipalLevel> {
        [PrincipalLevel::Itself, PrincipalLevel::Role, PrincipalLevel::Account]
            .into_iter()
            .find(|level| self.patterns.iter().any(|p| level_listed(p, *level, caller)))
    }
}

/// One identity in a caller's chain: `NotPrincipal` is checked at each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalLevel {
    /// The caller's account (`arn:aws:iam::<account>:root`).
    Account,
    /// The role of a role session.
    Role,
    /// The user, session, role or service itself.
    Itself,
}

impl PrincipalLevel {
    pub const fn as_str(self) -> &'static str {
        match self {
            PrincipalLevel::Account => "account",
            PrincipalLevel::Role => "role",
            PrincipalLevel::Itself => "principal",
        }
    }
}

fn level_listed(pattern: &Pattern, level: PrincipalLevel, caller: &Caller) -> bool {
    match (pattern, level) {
        (Pattern::Everyone, _) => true,
        (Pattern::Account(a), PrincipalLevel::Account) => caller.account.as_deref() == Some(a.as_str()),
        (Pattern::Role { account, name }, PrincipalLevel::Role) => {
            matches!(&caller.kind, CallerKind::AssumedRole { role_name } if role_name == name)
                && caller.account.as_deref() == Some(account.as_str())
        }
        (Pattern::Role { account, name }, PrincipalLevel::Itself) => {
            matches!(&caller.kind, CallerKind::Role { name: n } if n == name)
                && caller.account.as_deref() == Some(account.as_str())
        }
        (Pattern::Exact { kind, id }, PrincipalLevel::Itself) => kind_fits(*kind, caller) && *id == caller.arn,
        _ => false,
    }
}

fn pattern_matches(pattern: &Pattern, caller: &Caller) -> Option<PrincipalMatch> {
    match pattern {
        Pattern::Everyone => Some(PrincipalMatch::Direct),
        // The root user is the account principal itself.
        Pattern::Account(a) if caller.account.as_deref() == Some(a.as_str()) => {
            Some(if caller.kind == CallerKind::Root {
                PrincipalMatch::Direct
            } else {
                PrincipalMatch::Account
            })
        }
        Pattern::Role { account, name } if caller.account.as_deref() == Some(account.as_str()) => match &caller.kind {
            CallerKind::AssumedRole { role_name } if role_name == name => Some(PrincipalMatch::Role),
            CallerKind::Role { name: n } if n == name => Some(PrincipalMatch::Direct),
            _ => None,
        },
        Pattern::Exact { kind, id } if kind_fits(*kind, caller) && *id == caller.arn => Some(PrincipalMatch::Direct),
        _ => None,
    }
}

/// `Service` names service principals only; `AWS` (and the others) never do (§5.5).
fn kind_fits(kind: PrincipalKind, caller: &Caller) -> bool {
    (kind == PrincipalKind::Service) == (caller.kind == CallerKind::Service)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{PrincipalEntry, Values};
    use crate::source::{Span, Spanned};

    fn aws(ids: &[&str]) -> PrincipalMatcher {
        let ids = Values::Many(
            ids.iter()
                .map(|i| Spanned::new((*i).to_owned(), Span::default()))
                .collect(),
        );
        PrincipalMatcher::compile(&Principal::Map(vec![PrincipalEntry {
            kind: Spanned::new(PrincipalKind::Aws, Span::default()),
            ids,
        }]))
    }

    fn caller(arn: &str) -> Caller {
        Caller::parse(arn).unwrap()
    }

    #[test]
    fn account_principals_delegate_except_for_the_root_user() {
        let m = aws(&["arn:aws:iam::111122223333:root"]);
        assert_eq!(
            m.matches(&caller("arn:aws:iam::111122223333:user/alice")),
            Some(PrincipalMatch::Account)
        );
        assert_eq!(
            m.matches(&caller("arn:aws:iam::111122223333:root")),
            Some(PrincipalMatch::Direct)
        );
        assert_eq!(m.matches(&caller("arn:aws:iam::444455556666:user/alice")), None);
        assert_eq!(
            aws(&["111122223333"]).matches(&caller("arn:aws:iam::111122223333:user/a")),
            Some(PrincipalMatch::Account)
        );
    }

    #[test]
    fn a_role_matches_all_its_sessions() {
        let m = aws(&["arn:aws:iam::111122223333:role/service/app"]);
        assert_eq!(
            m.matches(&caller("arn:aws:sts::111122223333:assumed-role/app/s1")),
            Some(PrincipalMatch::Role)
        );
        assert_eq!(
            m.matches(&caller("arn:aws:sts::111122223333:assumed-role/other/s1")),
            None
        );
        assert_eq!(
            m.matches(&caller("arn:aws:sts::444455556666:assumed-role/app/s1")),
            None
        );
    }

    #[test]
    fn users_are_matched_exactly_and_case_sensitively() {
        let m = aws(&["arn:aws:iam::111122223333:user/Alice"]);
        assert_eq!(
            m.matches(&caller("arn:aws:iam::111122223333:user/Alice")),
            Some(PrincipalMatch::Direct)
        );
        assert_eq!(m.matches(&caller("arn:aws:iam::111122223333:user/alice")), None);
    }

    #[test]
    fn not_principal_needs_every_level_listed() {
        let only_user = aws(&["arn:aws:iam::111122223333:user/Bob"]);
        // Bob's account level is not listed, so a Deny with this NotPrincipal still applies to Bob.
        assert_eq!(
            only_user.deny_excludes(&caller("arn:aws:iam::111122223333:user/Bob")),
            Err(PrincipalLevel::Account)
        );
        let user_and_account = aws(&["arn:aws:iam::111122223333:user/Bob", "arn:aws:iam::111122223333:root"]);
        assert!(user_and_account
            .deny_excludes(&caller("arn:aws:iam::111122223333:user/Bob"))
            .is_ok());
        assert_eq!(
            user_and_account.deny_excludes(&caller("arn:aws:iam::111122223333:user/Eve")),
            Err(PrincipalLevel::Itself)
        );
        let session = aws(&[
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:role/app",
            "arn:aws:sts::111122223333:assumed-role/app/s1",
        ]);
        assert!(session
            .deny_excludes(&caller("arn:aws:sts::111122223333:assumed-role/app/s1"))
            .is_ok());
        assert_eq!(
            session.deny_excludes(&caller("arn:aws:sts::111122223333:assumed-role/app/s2")),
            Err(PrincipalLevel::Itself)
        );
    }

    /// IAM User Guide, notprincipal.html (older edition): Allow + NotPrincipal "allows
    /// all principals except the one named"; any listed level excludes.
    #[test]
    fn allow_not_principal_never_applies_to_a_listed_identity() {
        let bob = aws(&["arn:aws:iam::111122223333:user/Bob"]);
        assert_eq!(
            bob.allow_excludes(&caller("arn:aws:iam::111122223333:user/Bob")),
            Some(PrincipalLevel::Itself)
        );
        assert_eq!(bob.allow_excludes(&caller("arn:aws:iam::111122223333:user/Eve")), None);
        let account = aws(&["111122223333"]);
        assert_eq!(
            account.allow_excludes(&caller("arn:aws:sts::111122223333:assumed-role/app/s1")),
            Some(PrincipalLevel::Account)
        );
        let role = aws(&["arn:aws:iam::111122223333:role/app"]);
        assert_eq!(
            role.allow_excludes(&caller("arn:aws:sts::111122223333:assumed-role/app/s1")),
            Some(PrincipalLevel::Role)
        );
    }
}
