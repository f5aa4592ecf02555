//! How an action or condition key stands against the catalogue, shared by
//! `unknown-action`, `unknown-condition-key` and `uncatalogued-name`: known,
//! a likely typo (an error with a did-you-mean), or a well-formed name the
//! catalogue does not have yet (a warning: it may be newer than the data).

use std::cell::RefCell;
use std::collections::HashMap;

use crate::catalog;
use crate::policy::suggest;

/// The verdict on one name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing {
    Known,
    /// Not in the catalogue and not a well-formed new name, or close to a
    /// catalogued one; `help` says what was probably meant.
    Unknown {
        message: String,
        help: String,
    },
    /// Well-formed but not catalogued.
    Uncatalogued {
        message: String,
    },
}

fn is_service_prefix(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_action_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_key_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'/' | b'.' | b'@'))
}

/// A help text that names the catalogue it was decided by.
pub fn per_catalogue(help: impl std::fmt::Display) -> String {
    format!("{help} (IAM catalogue: {})", catalog::get().version())
}

/// The closest candidate: [`suggest::closest`], or for short names (where
/// one typo is a large share of the name) one with the same letters in
/// another order, or, with `one_edit`, one at a single edit.
pub fn near<'a>(name: &str, candidates: impl Iterator<Item = &'a str> + Clone, one_edit: bool) -> Option<&'a str> {
    if let Some(close) = suggest::closest(name, candidates.clone()) {
        return Some(close);
    }
    if name.len() > 5 {
        return None;
    }
    let sorted = |s: &str| {
        let mut chars: Vec<char> = s.to_ascii_lowercase().chars().collect();
        chars.sort_unstable();
        chars
    };
    let letters = sorted(name);
    let mut candidates = candidates;
    candidates
        .find(|c| sorted(c) == letters || (one_edit && strsim::damerau_levenshtein(&name.to_ascii_lowercase(), c) == 1))
}

fn service_standing(prefix: &str, what: &str, full: &str) -> Standing {
    let catalogue = catalog::get();
    let version = &catalogue.version();
    match near(prefix, catalogue.service_names(), false) {
        Some(close) if !close.eq_ignore_ascii_case(prefix) => Standing::Unknown {
            message: format!("unknown service `{prefix}` in {what} `{full}`"),
            help: format!("did you mean `{close}`?"),
        },
        _ if is_service_prefix(prefix) => Standing::Uncatalogued {
            message: format!("service `{prefix}` is not in the catalogue ({version}); it may be newer"),
        },
        _ => Standing::Unknown {
            message: format!("unknown service `{prefix}` in {what} `{full}`"),
            help: "service prefixes are lower case, such as `kms` or `s3`".to_owned(),
        },
    }
}

/// Verdicts already reached on this thread: two rules ask about every name,
/// and a repository repeats its names from file to file.
fn remembered(kind: usize, name: &str, decide: impl FnOnce() -> Standing) -> Standing {
    thread_local! {
        static SEEN: RefCell<[HashMap<String, Standing>; 2]> = RefCell::new([HashMap::new(), HashMap::new()]);
    }
    if let Some(known) = SEEN.with(|seen| seen.borrow()[kind].get(name).cloned()) {
        return known;
    }
    let standing = decide();
    SEEN.with(|seen| {
        let seen = &mut seen.borrow_mut()[kind];
        if seen.len() >= 4096 {
            seen.clear();
        }
        seen.insert(name.to_owned(), standing.clone());
    });
    standing
}

/// An action (`kms:Decrypt`, `kms:Get*`); `*` and wildcard services are known.
pub fn action(action: &str) -> Standing {
    remembered(0, action, || decide_action(action))
}

/// A condition key (`kms:CallerAccount`, `aws:ResourceTag/team`).
pub fn condition_key(key: &str) -> Standing {
    remembered(1, key, || decide_condition_key(key))
}

fn decide_action(action: &str) -> Standing {
    let Some((prefix, name)) = action.split_once(':') else {
        return Standing::Known;
    };
    if prefix.contains(['*', '?']) {
        return Standing::Known;
    }
    let catalogue = catalog::get();
    let Some(service) = catalogue.service(prefix) else {
        return service_standing(prefix, "action", action);
    };
    let version = &catalogue.version();
    if name.contains(['*', '?']) {
        return match service.matching(name).next() {
            Some(_) => Standing::Known,
            None => Standing::Uncatalogued {
                message: format!("`{action}` matches no action of `{prefix}` in the catalogue ({version})"),
            },
        };
    }
    if service.action(name).is_some() {
        return Standing::Known;
    }
    match suggest::closest(name, service.actions.iter().map(|a| a.name.as_str())) {
        Some(close) => Standing::Unknown {
            message: format!("unknown action `{action}`"),
            help: format!("did you mean `{prefix}:{close}`?"),
        },
        None if is_action_name(name) => Standing::Uncatalogued {
            message: format!("action `{action}` is not in the catalogue ({version}); it may be newer"),
        },
        None => Standing::Unknown {
            message: format!("unknown action `{action}`"),
            help: format!("`{prefix}` has no such action; action names are written like `{prefix}:DescribeKey`"),
        },
    }
}

fn decide_condition_key(key: &str) -> Standing {
    let catalogue = catalog::get();
    if catalogue.key(key).is_some() {
        return Standing::Known;
    }
    let Some((prefix, name)) = key.split_once(':') else {
        return Standing::Known; // the reader refuses keys without a prefix
    };
    // Keys of identity providers: OIDC keys are prefixed with the
    // provider's host (`accounts.google.com:aud`), SAML keys with `saml:`.
    if prefix.contains('.') || prefix.eq_ignore_ascii_case("saml") {
        return Standing::Known;
    }
    let version = &catalogue.version();
    let candidates: Vec<&str> = if prefix.eq_ignore_ascii_case("aws") {
        catalogue.global_keys().collect()
    } else if let Some(service) = catalogue.service(prefix) {
        service.key_names().collect()
    } else {
        return service_standing(prefix, "condition key", key);
    };
    let plain: Vec<&str> = candidates.iter().map(|k| k.split("${").next().unwrap_or(k)).collect();
    match suggest::closest(key, plain.iter().copied()) {
        Some(close) => Standing::Unknown {
            message: format!("unknown condition key `{key}`"),
            help: format!("did you mean `{close}`?"),
        },
        None if is_key_name(name) => Standing::Uncatalogued {
            message: format!("condition key `{key}` is not in the catalogue ({version}); it may be newer"),
        },
        None => Standing::Unknown {
            message: format!("unknown condition key `{key}`"),
            help: format!("`{prefix}` has no such condition key"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_unknown_and_new_names_uncatalogued() {
        assert_eq!(action("kms:Decrypt"), Standing::Known);
        assert_eq!(action("KMS:decrypt"), Standing::Known);
        assert!(matches!(action("kms:Decrpyt"), Standing::Unknown { help, .. } if help.contains("kms:Decrypt")));
        assert!(matches!(action("kms:FrobnicateWidgets"), Standing::Uncatalogued { .. }));
        assert!(matches!(action("ksm:Decrypt"), Standing::Unknown { help, .. } if help.contains("`kms`")));
        assert!(matches!(action("brandnewservice:Do"), Standing::Uncatalogued { .. }));
        assert!(matches!(condition_key("kms:CallerAcount"), Standing::Unknown { .. }));
        assert_eq!(condition_key("kms:EncryptionContext:Dept"), Standing::Known);
        assert_eq!(condition_key("aws:PrincipalTag/team"), Standing::Known);
        assert_eq!(condition_key("accounts.google.com:aud"), Standing::Known);
        assert_eq!(condition_key("SAML:aud"), Standing::Known);
    }
}
