//! Statement outcomes in words, for explanations: why a statement did not
//! apply, and why a `Deny` with `NotPrincipal` did apply. Each says which
//! part of the statement decided, so a person can act on it.

use super::evaluate::{Note, Outcome};

impl Outcome {
    /// A short stable code: `applies`, `principal-not-matched`, …
    pub const fn code(&self) -> &'static str {
        match self {
            Outcome::Applies => "applies",
            Outcome::PrincipalNotMatched => "principal-not-matched",
            Outcome::PrincipalExcluded => "not-principal-lists-every-level",
            Outcome::NotPrincipalListed(_) => "not-principal-lists-caller",
            Outcome::ActionNotMatched => "action-not-matched",
            Outcome::ResourceNotMatched => "resource-not-matched",
            Outcome::ConditionFailed(f) if f.missing => "condition-key-missing",
            Outcome::ConditionFailed(_) => "condition-failed",
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Outcome::Applies => "applies".into(),
            Outcome::PrincipalNotMatched => "Principal does not name the caller".into(),
            Outcome::PrincipalExcluded => {
                "NotPrincipal lists every level of the caller (account, role, principal), so this Deny spares it".into()
            }
            Outcome::NotPrincipalListed(level) => format!(
                "NotPrincipal lists the caller's {}, so this Allow does not apply to it",
                level.as_str()
            ),
            Outcome::ActionNotMatched => "Action does not match".into(),
            Outcome::ResourceNotMatched => "Resource does not match".into(),
            Outcome::ConditionFailed(f) if f.missing => format!(
                "condition `{}` on `{}` fails: the request has no `{}`",
                f.operator, f.key, f.key
            ),
            Outcome::ConditionFailed(f) => format!("condition `{}` on `{}` fails", f.operator, f.key),
        }
    }
}

impl Note {
    pub const fn code(self) -> &'static str {
        match self {
            Note::NotPrincipalUnlisted(_) => "not-principal-level-unlisted",
            Note::NotPrincipalBoundary => "not-principal-with-boundary",
        }
    }

    pub fn describe(self) -> String {
        match self {
            Note::NotPrincipalUnlisted(level) => format!(
                "NotPrincipal does not list the caller's {}: a Deny spares only a caller listed at every level",
                level.as_str()
            ),
            Note::NotPrincipalBoundary => {
                "the caller has a permissions boundary: a Deny with NotPrincipal always applies to it".into()
            }
        }
    }
}
