//! Structural problems in policy and grant documents. Each carries the span
//! to underline and, where there is one, the fix; [`PolicyErrors`] carries
//! all of a document's problems together with its source.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use crate::json::JsonError;
use crate::source::Source;

/// One problem with a policy or grant document.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum PolicyError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Json(#[from] JsonError),

    #[error("{parent} has no `{element}`")]
    #[diagnostic(code("keyward::policy::missing-element"))]
    MissingElement {
        element: &'static str,
        parent: &'static str,
        #[label("this {parent}")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("a {parent} cannot have both `{first}` and `{second}`")]
    #[diagnostic(
        code("keyward::policy::conflicting-elements"),
        help("keep exactly one of `{first}` and `{second}`")
    )]
    ConflictingElements {
        first: &'static str,
        second: &'static str,
        parent: &'static str,
        #[label("`{second}` here")]
        span: SourceSpan,
        #[label("`{first}` here")]
        first_span: SourceSpan,
    },

    #[error("`{element}` must be {expected}, found {found}")]
    #[diagnostic(code("keyward::policy::wrong-type"))]
    WrongType {
        element: String,
        expected: &'static str,
        found: &'static str,
        #[label("{found}")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("unknown element `{name}` in a {parent}")]
    #[diagnostic(code("keyward::policy::unknown-element"))]
    UnknownElement {
        name: String,
        parent: &'static str,
        #[label("unknown element")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{element}` is not allowed in {place}")]
    #[diagnostic(code("keyward::policy::misplaced-element"))]
    MisplacedElement {
        element: &'static str,
        place: &'static str,
        #[label("not allowed here")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("unknown condition operator `{name}`")]
    #[diagnostic(code("keyward::policy::unknown-condition-operator"))]
    UnknownConditionOperator {
        name: String,
        #[label("not an operator")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{value}` is not an effect")]
    #[diagnostic(code("keyward::policy::invalid-effect"))]
    InvalidEffect {
        value: String,
        #[label("expected `Allow` or `Deny`")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{value}` is not a policy language version")]
    #[diagnostic(code("keyward::policy::invalid-version"))]
    InvalidVersion {
        value: String,
        #[label("unknown version")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("empty statement")]
    #[diagnostic(
        code("keyward::policy::empty-statement"),
        help("a statement needs at least `Effect`, `Action` and `Resource`; remove it or fill it in")
    )]
    EmptyStatement {
        #[label("this statement is empty")]
        span: SourceSpan,
    },

    #[error("`{element}` has no values")]
    #[diagnostic(code("keyward::policy::empty-value"))]
    EmptyValue {
        element: String,
        #[label("empty")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{value}` is not a valid principal")]
    #[diagnostic(code("keyward::policy::invalid-principal"))]
    InvalidPrincipal {
        value: String,
        #[label("{reason}")]
        span: SourceSpan,
        reason: &'static str,
        #[help]
        help: String,
    },

    #[error("`{value}` is not an action")]
    #[diagnostic(
        code("keyward::policy::invalid-action"),
        help("an action is written `service:ActionName`, such as `kms:Decrypt`, `kms:*` or `*`")
    )]
    InvalidAction {
        value: String,
        #[label("expected `service:ActionName`")]
        span: SourceSpan,
    },

    #[error("`{value}` is not a resource")]
    #[diagnostic(
        code("keyward::policy::invalid-resource"),
        help("a resource is `*` or an ARN, `arn:partition:service:region:account:resource`; in a key policy `*` means this key")
    )]
    InvalidResource {
        value: String,
        #[label("expected `*` or an ARN")]
        span: SourceSpan,
    },

    #[error("`{key}` is not a condition key")]
    #[diagnostic(
        code("keyward::policy::invalid-condition-key"),
        help("condition keys are written `service:Name`, such as `kms:CallerAccount` or `aws:PrincipalArn`")
    )]
    InvalidConditionKey {
        key: String,
        #[label("expected `service:Name`")]
        span: SourceSpan,
    },

    #[error("duplicate statement id `{sid}`")]
    #[diagnostic(
        code("keyward::policy::duplicate-sid"),
        help("statement ids must be unique within an identity policy; rename one of them")
    )]
    DuplicateSid {
        sid: String,
        #[label("duplicate")]
        span: SourceSpan,
        #[label("first used here")]
        first: SourceSpan,
    },

    #[error("not a policy or grant document")]
    #[diagnostic(code("keyward::policy::unknown-document"))]
    UnknownDocument {
        #[label("{found}")]
        span: SourceSpan,
        found: String,
        #[help]
        help: String,
    },

    #[error("`{name}` is not a grant operation")]
    #[diagnostic(code("keyward::grant::unknown-operation"))]
    UnknownGrantOperation {
        name: String,
        #[label("unknown operation")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("{message}")]
    #[diagnostic(code("keyward::grant::constraint-limit"))]
    ConstraintLimit {
        message: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: String,
    },
}

/// Every problem found in one document, with the document's source.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{} in `{}`{}", count(.errors.len()), .src.name(), shown(.errors.len()))]
pub struct PolicyErrors {
    pub src: Source,
    pub errors: Vec<PolicyError>,
}

impl PolicyErrors {
    /// How many problems a rendered report shows.
    pub const SHOWN: usize = 50;
}

fn shown(n: usize) -> String {
    if n > PolicyErrors::SHOWN {
        format!(" (the first {} shown)", PolicyErrors::SHOWN)
    } else {
        String::new()
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 problem".to_owned()
    } else {
        format!("{n} problems")
    }
}

impl Diagnostic for PolicyErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("keyward::policy::invalid-document"))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self)
    }

    /// The first [`PolicyErrors::SHOWN`] problems: the message counts them
    /// all, and `errors` holds them all.
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(
            self.errors.iter().take(Self::SHOWN).map(|e| e as &dyn Diagnostic),
        ))
    }
}

impl miette::SourceCode for PolicyErrors {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let contents = miette::SourceCode::read_span(&self.src, span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.src.name().to_owned(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
            contents.line_count(),
        )))
    }
}

impl PolicyError {
    /// The stable code, such as `keyward::policy::missing-element`.
    pub fn code_str(&self) -> String {
        self.code().map(|c| c.to_string()).unwrap_or_default()
    }

    /// The span of the primary label.
    pub fn primary_span(&self) -> Option<SourceSpan> {
        self.labels().and_then(|mut labels| labels.next()).map(|l| *l.inner())
    }
}

impl PolicyErrors {
    /// Each problem paired with the document's source, ready to render on
    /// its own (one report per problem reads better than one nested report).
    pub fn located(&self) -> impl Iterator<Item = Located<'_>> {
        self.errors.iter().map(move |error| Located { error, src: self })
    }
}

/// One problem with the source it points into.
#[derive(Debug, Error)]
#[error("{error}")]
pub struct Located<'a> {
    pub error: &'a PolicyError,
    src: &'a PolicyErrors,
}

impl Located<'_> {
    pub fn source(&self) -> &Source {
        &self.src.src
    }
}

impl Diagnostic for Located<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.error.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.error.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.error.help()
    }
    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.error.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let labels = self.error.labels()?;
        Some(Box::new(labels.map(|l| self.src.src.clip_label(l))))
    }
}
