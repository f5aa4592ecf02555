//! Unique ids of IAM users and roles, from which a caller's `aws:userid`
//! is made.
//!
//! IAM gives each user and role a unique id when it creates it: `AIDA` and
//! 17 characters for a user, `AROA` and 17 for a role (IAM User Guide,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids>).
//! keyward has no IAM to ask, so unless the accounts file gives the real id
//! (`UserId`, `RoleId`, as `GetUser` and `GetRole` return them) a
//! principal's id is derived from its name: the SHA-256 of
//! `arn:<partition>:iam::<account>:user/<name>` (or `role/<name>`), whose
//! first 85 bits are written as 17 characters of the base32 alphabet (`A`–`Z`,
//! `2`–`7`) after the prefix. The path is left out: a name is unique in its
//! account whatever the path, and a session's ARN carries none, so a role
//! and its sessions derive the same id. The same principal always gets the
//! same id, and different principals (almost surely) different ones.

use sha2::{Digest, Sha256};

/// The characters of a derived id after its prefix (RFC 4648 base32).
pub(crate) const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The characters after the prefix.
const TAIL: usize = 17;

/// What an id names: its prefix and the member the accounts file (and
/// IAM's `GetUser`/`GetRole`) gives it under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    User,
    Role,
}

impl IdKind {
    /// `AIDA` for a user, `AROA` for a role.
    pub const fn prefix(self) -> &'static str {
        match self {
            IdKind::User => "AIDA",
            IdKind::Role => "AROA",
        }
    }

    /// `UserId` or `RoleId`.
    pub const fn member(self) -> &'static str {
        match self {
            IdKind::User => "UserId",
            IdKind::Role => "RoleId",
        }
    }

    /// An id of this kind as AWS's documentation writes one.
    pub const fn example(self) -> &'static str {
        match self {
            IdKind::User => "AIDACKCEVSQ6C2EXAMPLE",
            IdKind::Role => "AROADBQP57FF2AEXAMPLE",
        }
    }

    const fn path(self) -> &'static str {
        match self {
            IdKind::User => "user",
            IdKind::Role => "role",
        }
    }
}

/// The id of the user or role `name` (without its path) of `account`.
pub fn derive(kind: IdKind, partition: &str, account: &str, name: &str) -> String {
    let arn = format!("arn:{partition}:iam::{account}:{}/{name}", kind.path());
    let digest = Sha256::digest(arn.as_bytes());
    let mut id = String::with_capacity(kind.prefix().len() + TAIL);
    id.push_str(kind.prefix());
    // 17 characters of 5 bits each, read from the digest's leading bits.
    let mut bits: u32 = 0;
    let mut held = 0;
    let mut bytes = digest.iter();
    while id.len() < kind.prefix().len() + TAIL {
        if held < 5 {
            bits = (bits << 8) | u32::from(bytes.next().copied().unwrap_or_default());
            held += 8;
        }
        held -= 5;
        let index = (bits >> held) & 31;
        id.push(char::from(ALPHABET[index as usize]));
    }
    id
}

/// Is `id` a unique id of this kind: its prefix and 17 uppercase letters
/// or digits?
pub fn is_valid(kind: IdKind, id: &str) -> bool {
    id.strip_prefix(kind.prefix())
        .is_some_and(|tail| tail.len() == TAIL && tail.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn derived_ids_are_stable_and_tell_users_from_roles() {
        let user = derive(IdKind::User, "aws", "111122223333", "alice");
        assert_eq!(user, derive(IdKind::User, "aws", "111122223333", "alice"));
        assert!(user.starts_with("AIDA") && user.len() == 21, "{user}");
        let role = derive(IdKind::Role, "aws", "111122223333", "alice");
        assert!(role.starts_with("AROA"), "{role}");
        assert_ne!(user[4..], role[4..]);
        assert_ne!(user, derive(IdKind::User, "aws", "444455556666", "alice"));
        assert_ne!(user, derive(IdKind::User, "aws-cn", "111122223333", "alice"));
    }

    #[test]
    fn explicit_ids_need_their_prefix_and_17_uppercase_letters_or_digits() {
        assert!(is_valid(IdKind::User, IdKind::User.example()));
        assert!(is_valid(IdKind::Role, IdKind::Role.example()));
        for bad in [
            "",
            "AIDA",
            "AROACKCEVSQ6C2EXAMPLE",
            "AIDACKCEVSQ6C2EXAMPL",
            "AIDACKCEVSQ6C2EXAMPLEX",
            "AIDAckcevsq6c2example",
            "AIDACKCEVSQ6C2EXAMP-E",
        ] {
            assert!(!is_valid(IdKind::User, bad), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn every_derived_id_is_well_formed_and_reproducible(
            partition in "aws|aws-cn|aws-us-gov",
            account in "[0-9]{12}",
            name in "[\\w+=,.@-]{1,64}",
            role in any::<bool>(),
        ) {
            let kind = if role { IdKind::Role } else { IdKind::User };
            let id = derive(kind, &partition, &account, &name);
            prop_assert!(is_valid(kind, &id), "{}", id);
            prop_assert!(id[4..].bytes().all(|b| ALPHABET.contains(&b)));
            prop_assert_eq!(&id, &derive(kind, &partition, &account, &name));
        }
    }
}
