//! Condition keys as the catalogue documents them: a name that may hold one
//! `${…}` parameter (`aws:ResourceTag/${TagKey}`), and the key's [`KeyFacts`].

/// The type IAM documents for a condition key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    String,
    Arn,
    Bool,
    Numeric,
    Date,
    IpAddress,
    Binary,
}

/// A condition key's type and whether a request can carry several values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyFacts {
    pub ty: KeyType,
    pub multi_valued: bool,
}

impl KeyFacts {
    /// From the catalogue's type names: `String`, `ArrayOfARN`, `IPAddress`, …
    pub fn parse(name: &str) -> KeyFacts {
        let (multi_valued, base) = match name.strip_prefix("ArrayOf") {
            Some(base) => (true, base),
            None => (false, name),
        };
        let ty = match base {
            "ARN" | "Arn" => KeyType::Arn,
            "Bool" | "Boolean" => KeyType::Bool,
            "Numeric" | "Long" | "Integer" => KeyType::Numeric,
            "Date" => KeyType::Date,
            "IPAddress" => KeyType::IpAddress,
            "Binary" => KeyType::Binary,
            _ => KeyType::String,
        };
        KeyFacts { ty, multi_valued }
    }
}

/// Does a written key match a documented one? Names compare without case;
/// `${…}` in the documented name stands for any non-empty text.
pub fn key_matches(template: &str, key: &str) -> bool {
    Template::new(template).matches(template, key)
}

/// Where the `${…}` of a documented key name is, found once at load time.
#[derive(Clone, Copy, Debug)]
struct Template {
    /// The length of the text before `${` and the start of the text after `}`.
    hole: Option<(usize, usize)>,
}

impl Template {
    fn new(name: &str) -> Template {
        let hole = name.find("${").map(|start| {
            let end = name[start..].find('}').map_or(name.len(), |i| start + i + 1);
            (start, end)
        });
        Template { hole }
    }

    fn matches(self, name: &str, key: &str) -> bool {
        match self.hole {
            None => name.eq_ignore_ascii_case(key),
            Some((start, end)) => {
                let (prefix, suffix) = (&name[..start], &name[end..]);
                key.len() > prefix.len() + suffix.len()
                    && key.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix))
                    && key
                        .get(key.len() - suffix.len()..)
                        .is_some_and(|s| s.eq_ignore_ascii_case(suffix))
            }
        }
    }
}

/// A documented key name, its template and its type.
#[derive(Debug)]
pub(crate) struct Key {
    pub(crate) name: String,
    template: Template,
    pub(crate) info: KeyFacts,
}

impl Key {
    pub(crate) fn new(name: &str, ty: Option<&str>) -> Key {
        Key {
            name: name.to_owned(),
            template: Template::new(name),
            info: KeyFacts::parse(ty.unwrap_or("String")),
        }
    }

    pub(crate) fn matches(&self, key: &str) -> bool {
        self.template.matches(&self.name, key)
    }
}

/// The documented key a written key is an instance of: an exact name first,
/// then a template (`s3:ExistingObjectTag/${key}` for `s3:ExistingObjectTag/team`).
pub(crate) fn find_key<'k>(keys: &'k [Key], key: &str) -> Option<(&'k str, KeyFacts)> {
    keys.iter()
        .find(|k| k.name.eq_ignore_ascii_case(key))
        .or_else(|| keys.iter().find(|k| k.matches(key)))
        .map(|k| (k.name.as_str(), k.info))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_any_non_empty_suffix() {
        assert!(key_matches("aws:ResourceTag/${TagKey}", "AWS:resourcetag/team"));
        assert!(!key_matches("aws:ResourceTag/${TagKey}", "aws:ResourceTag/"));
        assert!(key_matches(
            "s3:ExistingObjectTag/${key}",
            "s3:ExistingObjectTag/classification"
        ));
        assert!(key_matches(
            "codebuild:fileSystemLocations/${identifier}.location",
            "codebuild:fileSystemLocations/efs1.location"
        ));
    }

    #[test]
    fn array_types_are_multi_valued() {
        let info = KeyFacts::parse("ArrayOfARN");
        assert_eq!((info.ty, info.multi_valued), (KeyType::Arn, true));
        assert_eq!(KeyFacts::parse("IPAddress").ty, KeyType::IpAddress);
    }
}
