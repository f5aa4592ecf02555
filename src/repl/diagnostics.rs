//! What can go wrong with a statement, as miette diagnostics: a syntax
//! error or an unknown name points into the line with a did-you-mean; a
//! refused KMS call reads as the AWS CLI prints it.

use miette::{Diagnostic, NamedSource, SourceSpan};

use super::grammar::{self, Rule};
use crate::kms::{ErrorName, KmsError};
use crate::policy::suggest;
use crate::source::{Source, Span};

/// The line a diagnostic points into (read in bounded excerpts, so a
/// script line of any length renders).
pub type Line = NamedSource<Source>;

pub(super) fn line(text: &str) -> Line {
    NamedSource::new("input", Source::new("input", text))
}

/// A statement that does not read, pointed at in its line.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code("keyward::repl::syntax"))]
pub struct SyntaxError {
    #[source_code]
    src: Line,
    #[label("{label}")]
    span: SourceSpan,
    message: String,
    label: String,
    #[help]
    help: Option<String>,
}

/// A `$name`, principal, service, time or other value that means nothing
/// where it is written.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code("keyward::repl::invalid-value"))]
pub struct InvalidValue {
    #[source_code]
    src: Line,
    #[label("{label}")]
    span: SourceSpan,
    message: String,
    label: String,
    #[help]
    help: Option<String>,
}

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ReplError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(Box<SyntaxError>),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidValue>),
    #[error("An error occurred ({}) when calling the {operation} operation: {}", error.name.as_str(), error.message)]
    #[diagnostic(code("keyward::repl::kms"))]
    Kms { operation: String, error: KmsError },
    /// A file that cannot be read, a state directory that cannot be used.
    #[error("{0}")]
    #[diagnostic(code("keyward::repl::failed"))]
    Failed(String),
    /// An `expect` line whose statement came out otherwise.
    #[error("expected `{expected}`, but the statement before came out `{found}`")]
    #[diagnostic(code("keyward::repl::expectation"))]
    Expectation {
        expected: &'static str,
        found: &'static str,
    },
}

impl ReplError {
    /// A value at `span` of `src` that cannot be used.
    pub(super) fn invalid(src: &Line, span: Span, message: String, label: &str, help: Option<String>) -> ReplError {
        ReplError::Invalid(Box::new(InvalidValue {
            src: src.clone(),
            span: span.into(),
            message,
            label: label.to_owned(),
            help,
        }))
    }

    pub(super) fn kms(operation: &'static str) -> impl Fn(KmsError) -> ReplError {
        move |error| ReplError::Kms {
            operation: operation.to_owned(),
            error,
        }
    }

    /// Refused by authorization (`AccessDeniedException`), as opposed to any
    /// other failure; `expect deny` tells them apart.
    pub fn is_denial(&self) -> bool {
        matches!(self, ReplError::Kms { error, .. } if error.name == ErrorName::AccessDeniedException)
    }
}

/// Turns pest's failure into "expected …" with the word found underlined
/// and the nearest keyword suggested.
pub(super) fn syntax(text: &str, error: &pest::error::Error<Rule>) -> ReplError {
    let offset = match error.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((start, _)) => start,
    };
    let positives: &[Rule] = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives,
        pest::error::ErrorVariant::CustomError { .. } => &[],
    };
    let rest = &text[offset..];
    let src = line(text);
    let at = |len: usize, message: String, label: &str, help: Option<String>| {
        ReplError::Syntax(Box::new(SyntaxError {
            src: src.clone(),
            span: Span::new(offset, offset + len).into(),
            message,
            label: label.to_owned(),
            help,
        }))
    };
    if let Some(start) = open_quote(text) {
        return ReplError::Syntax(Box::new(SyntaxError {
            src: src.clone(),
            span: Span::new(start, start + 1).into(),
            message: "unterminated string".into(),
            label: "this quote is not closed".into(),
            help: Some("close the string with `\"` on the same line".into()),
        }));
    }
    if rest.starts_with('"') {
        return at(
            1,
            "unterminated string".into(),
            "this quote is not closed",
            Some("close the string with `\"` on the same line".into()),
        );
    }
    if rest.starts_with('{') {
        return at(
            1,
            "unclosed JSON object".into(),
            "this `{` is not closed",
            Some("every `{` needs its `}`".into()),
        );
    }
    let found = rest.split(|c: char| c.is_whitespace()).next().unwrap_or("");
    let keywords: Vec<String> = positives.iter().filter_map(|r| grammar::keyword(*r)).collect();
    let mut expected: Vec<String> = positives.iter().filter_map(|r| grammar::display(*r)).collect();
    expected.dedup();
    let expected = match expected.as_slice() {
        [] => "something else".to_owned(),
        [one] => one.clone(),
        many if many.len() > 8 => format!("one of {} words (see `help`)", many.len()),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    let suggestion =
        suggest::closest(found, keywords.iter().map(String::as_str)).map(|k| format!("did you mean `{k}`?"));
    if found.is_empty() {
        return at(0, format!("expected {expected}"), "the statement ends here", suggestion);
    }
    let is_command = offset == text.len() - text.trim_start().len() || text[..offset].trim_end().ends_with('=');
    let message = if is_command && keywords.len() > 8 {
        format!("unknown command `{found}`")
    } else {
        format!("expected {expected}, found `{found}`")
    };
    let help = suggestion.or_else(|| is_command.then(|| "`help` lists the commands".to_owned()));
    at(found.len(), message, "not understood", help)
}

/// Where a quoted string that never closes starts, outside JSON objects.
fn open_quote(text: &str) -> Option<usize> {
    let (mut depth, mut open, mut escaped) = (0usize, None, false);
    for (i, c) in text.char_indices() {
        if let Some(start) = open {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => open = None,
                '\n' if depth == 0 => return Some(start),
                _ => {}
            }
            continue;
        }
        match c {
            '"' => open = Some(i),
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '#' if depth == 0 => return None,
            _ => {}
        }
    }
    open.filter(|_| depth == 0)
}
