//! What a rule reports: a [`Finding`] with its rule, [`Severity`], message,
//! the span it underlines, further labels and the fix. [`Diagnosed`] shows a
//! finding as a miette diagnostic so the CLI renders it like any other.

use std::fmt;

use miette::{Diagnostic, LabeledSpan};

use crate::source::{Source, Span};

/// How serious a finding is; the order is the order of the failure threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Suggestion,
    Warning,
    /// A permission that is broader than it looks.
    Security,
    /// AWS refuses the document, or it cannot work as written.
    Error,
}

impl Severity {
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Security => "security",
            Severity::Warning => "warning",
            Severity::Suggestion => "suggestion",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary place a finding points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

/// One problem found in one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule's name (`public-key-access`), or the foundation's code for a
    /// parse or structure error (`keyward::policy::unknown-element`).
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// What the primary label says about the span.
    pub label: String,
    pub help: Option<String>,
    pub labels: Vec<Label>,
    /// The IAM Access Analyzer issue code of the same problem, if it has one.
    pub issue_code: Option<&'static str>,
}

impl Finding {
    pub fn new(rule: &str, severity: Severity, span: Span, message: impl Into<String>) -> Finding {
        Finding {
            rule: rule.to_owned(),
            severity,
            message: message.into(),
            span,
            label: String::new(),
            help: None,
            labels: Vec::new(),
            issue_code: None,
        }
    }

    pub fn label(mut self, text: impl Into<String>) -> Finding {
        self.label = text.into();
        self
    }

    pub fn help(mut self, text: impl Into<String>) -> Finding {
        self.help = Some(text.into());
        self
    }

    pub fn also(mut self, span: Span, text: impl Into<String>) -> Finding {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Sets the Access Analyzer issue code (a rule that covers several).
    pub fn issue_code(mut self, code: &'static str) -> Finding {
        self.issue_code = Some(code);
        self
    }

    /// Access Analyzer's finding type for [`Finding::issue_code`].
    pub fn finding_type(&self) -> Option<super::access_analyzer::FindingType> {
        super::access_analyzer::finding_type(self.issue_code?)
    }

    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    /// The stable code, spelled as in every output format (JSON's `rule`,
    /// SARIF's `ruleId`, `--explain`, `keyward.toml`): the rule's name
    /// (`key-lockout`), or the foundation's own (`keyward::policy::…`).
    pub fn code(&self) -> String {
        self.rule.clone()
    }

    /// The finding as a diagnostic over its document, for miette to render.
    pub fn diagnosed<'a>(&'a self, source: &'a Source) -> Diagnosed<'a> {
        Diagnosed {
            finding: self,
            source: source.to_named_source(),
        }
    }
}

/// A finding with the source it points into.
#[derive(Debug)]
pub struct Diagnosed<'a> {
    finding: &'a Finding,
    source: miette::NamedSource<crate::source::Source>,
}

impl fmt::Display for Diagnosed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Diagnosed<'_> {}

impl Diagnostic for Diagnosed<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.finding.code()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error | Severity::Security => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Suggestion => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(
            (!self.finding.label.is_empty()).then(|| self.finding.label.clone()),
            self.finding.span,
        );
        let others = self
            .finding
            .labels
            .iter()
            .map(|l| LabeledSpan::new_with_span(Some(l.text.clone()), l.span));
        Some(Box::new(std::iter::once(primary).chain(others)))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
}
