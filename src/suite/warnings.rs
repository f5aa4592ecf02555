//! Warnings about a request the catalogue does not recognise: a misspelt
//! action (`kms:Decrpyt`) or condition key, or a resource that is not of a
//! type the action acts on. Each would otherwise end in a silent implicit
//! deny; each carries a did-you-mean where one is close.

use crate::catalog::{self as catalogue, Service};
use crate::eval::glob::{matches_wild, Case};
use crate::policy::suggest::closest;

/// One warning: a stable code, a message, and a suggestion when one is close.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
    pub suggestion: Option<String>,
}

/// Checks the action, the resource against the action's resource types,
/// and every context key given explicitly.
pub fn warnings<'a>(action: &str, resource: Option<&str>, context_keys: impl Iterator<Item = &'a str>) -> Vec<Warning> {
    let catalogue = catalogue::get();
    let mut found = Vec::new();
    let (prefix, name) = action.split_once(':').unwrap_or((action, ""));
    match catalogue.service(prefix) {
        None => found.push(Warning {
            code: "unknown-service",
            message: format!("`{prefix}` is not an AWS service prefix the catalogue knows, so no policy names `{action}`"),
            suggestion: closest(prefix, catalogue.service_names()).map(|s| format!("{s}:{name}")),
        }),
        Some(service) => match service.action(name) {
            None => found.push(Warning {
                code: "unknown-action",
                message: format!("`{action}` is not an action of `{prefix}`: the request can only be implicitly denied unless a wildcard matches it"),
                suggestion: closest(name, service.actions.iter().map(|a| a.name.as_str())).map(|a| format!("{prefix}:{a}")),
            }),
            Some(entry) => {
                if let Some(resource) = resource.filter(|r| *r != "*" && !entry.resource_types.is_empty()) {
                    if !resource_fits(service, &entry.resource_types, resource) {
                        found.push(Warning {
                            code: "resource-type-mismatch",
                            message: format!(
                                "`{resource}` is not a resource `{action}` acts on (its resource types: {})",
                                entry.resource_types.join(", ")
                            ),
                            suggestion: None,
                        });
                    }
                }
            }
        },
    }
    for key in context_keys {
        if catalogue.key(key).is_none() {
            let (key_prefix, _) = key.split_once(':').unwrap_or((key, ""));
            let suggestion = if key_prefix.eq_ignore_ascii_case("aws") {
                closest(key, catalogue.global_keys())
            } else {
                catalogue.service(key_prefix).and_then(|s| closest(key, s.key_names()))
            };
            found.push(Warning {
                code: "unknown-condition-key",
                message: format!("`{key}` is not a condition key the catalogue knows"),
                suggestion: suggestion.map(str::to_owned),
            });
        }
    }
    found
}

/// Does `resource` match the ARN format of one of the resource types?
fn resource_fits(service: &Service, types: &[String], resource: &str) -> bool {
    types.iter().any(|ty| {
        // `key*` in the catalogue marks a required type; the name is `key`.
        let ty = ty.trim_end_matches('*');
        service
            .resources
            .get(ty)
            .is_none_or(|format| matches_wild(&glob_of(format), resource, Case::Sensitive))
    })
}

/// `arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}` → `arn:*:kms:*:*:key/*`.
fn glob_of(format: &str) -> String {
    let mut glob = String::with_capacity(format.len());
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        glob.push_str(&rest[..start]);
        glob.push('*');
        rest = rest[start..].find('}').map_or("", |end| &rest[start + end + 1..]);
    }
    glob.push_str(rest);
    glob
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    #[test]
    fn a_misspelt_action_is_named_with_the_intended_one() {
        let found = warnings("kms:Decrpyt", Some(KEY), std::iter::empty());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "unknown-action");
        assert_eq!(found[0].suggestion.as_deref(), Some("kms:Decrypt"));
    }

    #[test]
    fn known_actions_keys_and_fitting_resources_warn_of_nothing() {
        let keys = ["kms:EncryptionContext:dept", "aws:SourceIp"];
        assert_eq!(warnings("kms:Decrypt", Some(KEY), keys.into_iter()), []);
        assert_eq!(
            warnings("s3:GetObject", Some("arn:aws:s3:::b/k"), std::iter::empty()),
            []
        );
    }

    #[test]
    fn unknown_keys_services_and_resource_types_are_reported() {
        let found = warnings("kms:Decrypt", Some("arn:aws:s3:::b/k"), ["aws:SourceIpp"].into_iter());
        let codes: Vec<&str> = found.iter().map(|w| w.code).collect();
        assert_eq!(codes, ["resource-type-mismatch", "unknown-condition-key"]);
        assert_eq!(found[1].suggestion.as_deref(), Some("aws:SourceIp"));
        assert_eq!(
            warnings("kmss:Decrypt", None, std::iter::empty())[0].code,
            "unknown-service"
        );
    }

    #[test]
    fn arn_formats_become_globs() {
        assert_eq!(
            glob_of("arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}"),
            "arn:*:kms:*:*:key/*"
        );
    }
}
