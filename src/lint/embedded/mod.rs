//! Policies where they live in real repositories: inside CloudFormation
//! templates (JSON and YAML, [`cloudformation`]) and Terraform plans
//! ([`terraform`]). [`Linter::lint_file`] decides what a file holds, lints
//! each policy in it as a document of its own, and moves every finding back
//! to the template's own place. A file that holds no policy is skipped with
//! a note.

mod cloudformation;
mod intrinsic_place;
mod located;
mod node;
mod render;
mod terraform;
mod yaml;

use node::{Node, Value};

use super::{Finding, Linter};
use crate::json;
use crate::policy::DocumentKind;
use crate::source::{Source, Span};

/// A policy found inside a file, and what it is.
pub struct Embedded<'n> {
    /// Where it is, e.g. `KeyA.KeyPolicy` or `aws_kms_key.main.policy`.
    pub name: String,
    pub kind: Option<DocumentKind>,
    /// The quota of an inline policy of a user, group or role.
    pub inline: Option<super::Inline>,
    /// The resource it is attached to, when Access Analyzer validates that
    /// type's policies on their own (a bucket policy, an access point's).
    pub resource_type: Option<super::ResourceType>,
    pub node: &'n Node,
}

/// What linting a file gave: findings in the file's own coordinates, and a
/// note when the file was skipped or held several policies.
#[derive(Debug, Default)]
pub struct Linted {
    pub findings: Vec<Finding>,
    pub note: Option<String>,
}

fn is_yaml(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".template")
}

/// Does a JSON document look like a policy or grants, rather than some other
/// JSON file (`package.json`)?
fn looks_like_policy(root: &json::Value) -> bool {
    match &root.kind {
        json::Kind::Object(o) => o.members.iter().any(|m| {
            let key = m.key.to_ascii_lowercase();
            key.starts_with("statement")
                || *m.key == "Version"
                || *m.key == "Id"
                || key.starts_with("grant")
                || key == "operations"
                || key == "effect"
                || key == "action"
        }),
        json::Kind::Array(items) => items.is_empty() || items.iter().any(looks_like_policy),
        _ => true,
    }
}

impl Linter {
    /// Lints whatever `source` is: a policy or grant document (as
    /// [`Linter::lint`]), a CloudFormation template, a Terraform plan, or a
    /// file with no policy in it, which is skipped with a note. With `kind`
    /// given, the file is taken as that document.
    pub fn lint_file(&self, source: &Source, kind: Option<DocumentKind>) -> Linted {
        let text = source.text();
        let root = if is_yaml(source.name()) && json::parse_with(text, &self.limits).is_err() {
            match yaml::parse(text) {
                Ok(root) => root,
                Err(message) => {
                    return Linted {
                        findings: Vec::new(),
                        note: Some(format!("not YAML that keyward can read ({message}); skipped")),
                    }
                }
            }
        } else {
            match json::parse_with(text, &self.limits) {
                Ok(value) if kind.is_none() => {
                    let node = Node::from_json(&value);
                    if is_container(&node) {
                        node
                    } else if looks_like_policy(&value) {
                        return Linted {
                            findings: self.lint(source, kind),
                            note: None,
                        };
                    } else {
                        return Linted {
                            findings: Vec::new(),
                            note: Some("holds no policy; skipped".to_owned()),
                        };
                    }
                }
                _ => {
                    return Linted {
                        findings: self.lint(source, kind),
                        note: None,
                    }
                }
            }
        };
        let policies = if cloudformation::is_template(&root) {
            cloudformation::find(&root)
        } else if terraform::is_plan(&root) {
            terraform::find(&root)
        } else if root.get("Statement").is_some() {
            // A policy written in YAML.
            vec![Embedded {
                name: String::new(),
                kind,
                inline: None,
                resource_type: self.resource_type,
                node: &root,
            }]
        } else {
            return Linted {
                findings: Vec::new(),
                note: Some("holds no policy; skipped".to_owned()),
            };
        };
        if policies.is_empty() {
            return Linted {
                findings: Vec::new(),
                note: Some("a template with no policy in it; skipped".to_owned()),
            };
        }
        let count = policies.len();
        let mut findings = Vec::new();
        for policy in &policies {
            findings.extend(self.lint_embedded(source, &root, policy));
        }
        findings.sort_by_key(|f| (f.span.start, f.span.end));
        Linted {
            findings,
            note: Some(format!(
                "{count} {} checked",
                if count == 1 { "policy" } else { "policies" }
            )),
        }
    }

    fn lint_embedded(&self, source: &Source, root: &Node, policy: &Embedded<'_>) -> Vec<Finding> {
        let prefix = |f: &mut Finding| {
            if !policy.name.is_empty() {
                f.message = format!("{}: {}", policy.name, f.message);
            }
        };
        // A policy kept as a string (Terraform, a JSON string or block
        // scalar in a template, a `Fn::Sub` template): its findings point at
        // their token in the string, or at the whole string when the text
        // cannot be located.
        if let Some(text) = policy_text(root, policy.node) {
            let located = text.located(source.text());
            let inner = Source::new(
                source.name(),
                located.as_ref().map_or_else(|| text.value(), |l| l.text.clone()),
            );
            let mut findings = self.lint_attached(&inner, policy.kind, policy.inline, policy.resource_type);
            for f in &mut findings {
                prefix(f);
                let at = |span: Span| located.as_ref().and_then(|l| l.origin(span));
                f.span = at(f.span).unwrap_or(policy.node.span);
                f.labels.retain_mut(|label| match at(label.span) {
                    Some(span) => {
                        label.span = span;
                        true
                    }
                    None => false,
                });
            }
            return findings;
        }
        let intrinsics = render::Intrinsics {
            value: &|n| cloudformation::intrinsic(root, n),
            place: &|n| intrinsic_place::locate(source.text(), root, n),
        };
        let rendered = render::render(policy.node, &intrinsics);
        let inner = Source::new(source.name(), rendered.text.clone());
        let mut findings = self.lint_attached(&inner, policy.kind, policy.inline, policy.resource_type);
        for f in &mut findings {
            prefix(f);
            f.span = rendered.origin(f.span);
            for label in &mut f.labels {
                label.span = rendered.origin(label.span);
            }
            if f.span == Span::at(0) {
                f.span = policy.node.span;
            }
        }
        findings
    }
}

/// A policy written as a string: the string node, or a `Fn::Sub` of one
/// (`!Sub text` or `!Sub [text, {Name: value}]`).
enum PolicyText<'n> {
    Plain(&'n Node, &'n str),
    Sub {
        root: &'n Node,
        template: &'n Node,
        text: &'n str,
        variables: Option<&'n Node>,
    },
}

fn policy_text<'n>(root: &'n Node, node: &'n Node) -> Option<PolicyText<'n>> {
    if let Value::String(text) = &node.value {
        return Some(PolicyText::Plain(node, text));
    }
    let argument = cloudformation::sub_argument(node)?;
    let (template, variables) = match &argument.value {
        Value::Array(items) => (items.first()?, items.get(1)),
        _ => (argument, None),
    };
    Some(PolicyText::Sub {
        root,
        template,
        text: template.as_str()?,
        variables,
    })
}

impl PolicyText<'_> {
    /// The text as the linter reads it, without places.
    fn value(&self) -> String {
        match self {
            PolicyText::Plain(_, text) => (*text).to_owned(),
            PolicyText::Sub { text, .. } => self.substitute(located::Located::unplaced(text)).text,
        }
    }

    /// The text with the place of each byte in `source`.
    fn located(&self, source: &str) -> Option<located::Located> {
        match self {
            PolicyText::Plain(node, text) => located::locate(source, node.span, text),
            PolicyText::Sub { template, text, .. } => {
                Some(self.substitute(located::locate(source, template.span, text)?))
            }
        }
    }

    /// A `Fn::Sub` template with its `${Name}`s replaced: by the value the
    /// variables map gives, else by the parameter, resource or pseudo
    /// parameter of that name.
    fn substitute(&self, template: located::Located) -> located::Located {
        let PolicyText::Sub { root, variables, .. } = self else {
            return template;
        };
        located::substitute(&template, &|name| cloudformation::sub_value(root, *variables, name))
    }
}

fn is_container(root: &Node) -> bool {
    cloudformation::is_template(root) || terraform::is_plan(root)
}
