//! Problems found while compiling a policy for evaluation: condition values
//! that cannot mean anything for their operator.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// A policy value the evaluator cannot use. Such a policy is refused rather
/// than evaluated with a guess.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum CompileError {
    #[error("`{value}` is not a valid value for `{operator}`")]
    #[diagnostic(code("keyward::eval::invalid-condition-value"))]
    InvalidConditionValue {
        operator: String,
        value: String,
        expected: &'static str,
        #[label("expected {expected}")]
        span: SourceSpan,
    },
}
