//! The linter: [`Linter::lint`] reads one document (parse and structure
//! errors become findings with their own codes), runs every [`rules::Rule`]
//! that applies to it and returns [`Finding`]s, adjusted by the [`Config`]
//! (`keyward.toml`). Output formats for machines live in [`output`]; the
//! IAM facts the rules use come from [`crate::catalog`].

pub mod access;
pub mod access_analyzer;
mod config;
mod context;
mod embedded;
pub mod explain;
mod finding;
mod foundation;
pub mod output;
mod policy_type;
mod resource_type;
pub mod rules;

use miette::Diagnostic;

pub use config::{Config, ConfigError, Ignore, Level};
pub use context::{GrantsCx, PolicyCx};
pub use embedded::Linted;
pub use finding::{Diagnosed, Finding, Label, Severity};
pub use policy_type::{Inline, PolicyType};
pub use resource_type::ResourceType;

use crate::eval::CompiledPolicy;
use crate::json::{self, Limits};
use crate::kms::KeyInfo;
use crate::policy::{Document, DocumentKind, Policy, PolicyError, PolicyErrors, PolicyKind, Statement};
use crate::source::{Source, Span};

/// Lints documents under one configuration.
#[derive(Clone, Debug, Default)]
pub struct Linter {
    pub config: Config,
    pub limits: Limits,
    /// The key grant files and key policies are for, when known
    /// (`--key-spec`); otherwise the rules consider every kind of key.
    pub key: Option<KeyInfo>,
    /// The resource policy documents are attached to, when known
    /// (`--resource-type`). In templates and plans the resource a policy is
    /// in decides instead.
    pub resource_type: Option<ResourceType>,
}

impl Linter {
    pub fn new(config: Config) -> Linter {
        Linter {
            config,
            limits: Limits::default(),
            key: None,
            resource_type: None,
        }
    }

    /// Every finding in one document, in reading order, after the
    /// configuration has set severities and removed what it ignores.
    pub fn lint(&self, source: &Source, kind: Option<DocumentKind>) -> Vec<Finding> {
        self.lint_inline(source, kind, None)
    }

    /// [`Linter::lint`] for an inline policy of a user, group or role, whose
    /// size counts against that identity's quota.
    pub fn lint_inline(&self, source: &Source, kind: Option<DocumentKind>, inline: Option<Inline>) -> Vec<Finding> {
        self.lint_attached(source, kind, inline, self.resource_type)
    }

    /// [`Linter::lint_inline`] for a policy attached to a resource of a
    /// known type; the type decides the kind when `kind` does not.
    fn lint_attached(
        &self,
        source: &Source,
        kind: Option<DocumentKind>,
        inline: Option<Inline>,
        resource_type: Option<ResourceType>,
    ) -> Vec<Finding> {
        let kind = kind.or(resource_type.map(ResourceType::kind));
        let value = match json::parse_with(source.text(), &self.limits) {
            Ok(value) => value,
            Err(error) => {
                let error = PolicyError::from(error);
                let finding = from_diagnostic(&error, foundation::issue_code(&error, None, kind));
                return self.finish(source.name(), vec![finding]);
            }
        };
        let findings = match Document::from_json(&value, kind) {
            Err(errors) => {
                let ty = kind.map(|k| PolicyType::of(Some(k), PolicyKind::IdentityPolicy));
                errors
                    .iter()
                    .map(|e| {
                        let mut finding = from_diagnostic(e, foundation::issue_code(e, Some(&value), kind));
                        finding.message = foundation::retitle(&finding.message, ty);
                        finding.help = finding.help.map(|h| foundation::retitle(&h, ty));
                        finding
                    })
                    .collect()
            }
            Ok(Document::Policy(policy)) => {
                let attached = Attached {
                    inline,
                    key: self.key,
                    resource_type,
                };
                lint_policy(source, &value, &policy, kind, attached)
            }
            Ok(Document::Grants(grants)) => {
                let cx = GrantsCx {
                    source,
                    grants: &grants,
                    key: self.key,
                };
                let mut findings = Vec::new();
                for rule in rules::ALL {
                    if let rules::Check::Grants(check) = rule.check {
                        check(&cx, &mut findings);
                    }
                }
                findings
            }
        };
        self.finish(source.name(), findings)
    }

    /// The findings of a document that could not even be read as text (too
    /// large, not UTF-8).
    pub fn rejected(&self, errors: &PolicyErrors) -> Vec<Finding> {
        let findings = errors
            .errors
            .iter()
            .map(|e| from_diagnostic(e, foundation::issue_code(e, None, None)))
            .collect();
        self.finish(errors.src.name(), findings)
    }

    fn finish(&self, file: &str, mut findings: Vec<Finding>) -> Vec<Finding> {
        self.config.apply(file, &mut findings);
        // Messages quote the document: keep a huge key name from printing whole.
        for finding in &mut findings {
            shorten_in_place(&mut finding.message);
            shorten_in_place(&mut finding.label);
            if let Some(help) = &mut finding.help {
                shorten_in_place(help);
            }
            for label in &mut finding.labels {
                shorten_in_place(&mut label.text);
            }
        }
        findings.sort_by_key(|f| (f.span.start, f.span.end));
        findings
    }
}

fn lint_policy(
    source: &Source,
    document: &json::Value,
    policy: &Policy,
    kind: Option<DocumentKind>,
    attached: Attached,
) -> Vec<Finding> {
    let Attached {
        inline,
        key,
        resource_type,
    } = attached;
    // Values the evaluator cannot use are errors, as in `keyward check`.
    let compiled = match CompiledPolicy::compile(source.name(), policy) {
        Ok(compiled) => compiled,
        Err(errors) => {
            return errors
                .iter()
                .map(|e| from_diagnostic(e, foundation::compile_issue_code(e)))
                .collect()
        }
    };
    let read = policy_kind(policy, kind);
    let cx = PolicyCx {
        source,
        document,
        policy,
        compiled: &compiled,
        kind: read,
        ty: refine(PolicyType::of(kind, read), policy),
        inline,
        key: key.filter(|_| read == PolicyKind::KeyPolicy),
        resource_type: resource_type.filter(|_| read != PolicyKind::IdentityPolicy),
    };
    let mut findings = Vec::new();
    for rule in rules::ALL {
        if let rules::Check::Policy(check) = rule.check {
            check(&cx, &mut findings);
        }
    }
    findings
}

/// What a policy is attached to, as far as the linter knows.
#[derive(Clone, Copy)]
struct Attached {
    inline: Option<Inline>,
    key: Option<KeyInfo>,
    resource_type: Option<ResourceType>,
}

/// A resource policy that allows only STS actions is a role trust policy.
fn refine(ty: PolicyType, policy: &Policy) -> PolicyType {
    let sts_only = |s: &Statement| {
        !s.action.negated
            && s.action.value.iter().all(|a| {
                a.split_once(':')
                    .is_some_and(|(service, _)| service.eq_ignore_ascii_case("sts"))
            })
    };
    if ty == PolicyType::Resource && policy.statements.iter().all(|s| sts_only(s)) {
        PolicyType::RoleTrust
    } else {
        ty
    }
}

/// The kind asked for, or the one the statements show: no principal makes an
/// identity policy; principals and KMS actions (or `*`) a key policy.
pub fn policy_kind(policy: &Policy, kind: Option<DocumentKind>) -> PolicyKind {
    match kind {
        Some(DocumentKind::KeyPolicy) => return PolicyKind::KeyPolicy,
        Some(DocumentKind::IdentityPolicy | DocumentKind::ServiceControlPolicy) => return PolicyKind::IdentityPolicy,
        Some(DocumentKind::RoleTrustPolicy | DocumentKind::ResourceControlPolicy) => return PolicyKind::ResourcePolicy,
        _ => {}
    }
    if !policy.is_resource_policy() {
        return PolicyKind::IdentityPolicy;
    }
    let names_kms = |s: &Statement| {
        s.action
            .value
            .iter()
            .any(|a| a.as_str() == "*" || a.to_ascii_lowercase().starts_with("kms:"))
    };
    if policy.statements.iter().any(|s| names_kms(s)) {
        PolicyKind::KeyPolicy
    } else {
        PolicyKind::ResourcePolicy
    }
}

/// A foundation diagnostic (parse, structure, compile) as an error finding,
/// with Access Analyzer's code for the same problem.
fn from_diagnostic(diagnostic: &dyn Diagnostic, issue_code: Option<&'static str>) -> Finding {
    let mut labels = diagnostic.labels().into_iter().flatten();
    let primary = labels.next();
    let span_of = |l: &miette::LabeledSpan| Span::new(l.offset(), l.offset() + l.len());
    let mut finding = Finding::new(
        &diagnostic.code().map(|c| c.to_string()).unwrap_or_default(),
        Severity::Error,
        primary.as_ref().map_or(Span::at(0), span_of),
        diagnostic.to_string(),
    );
    finding.label = primary.and_then(|l| l.label().map(str::to_owned)).unwrap_or_default();
    finding.help = diagnostic.help().map(|h| h.to_string());
    for label in labels {
        finding = finding.also(span_of(&label), label.label().unwrap_or_default());
    }
    finding.issue_code = issue_code;
    finding
}

fn shorten_in_place(text: &mut String) {
    if let std::borrow::Cow::Owned(short) = crate::source::shorten(text) {
        *text = short;
    }
}

/// Does any finding reach the failure threshold?
pub fn fails(findings: &[Finding], threshold: Severity) -> bool {
    findings.iter().any(|f| f.severity >= threshold)
}
