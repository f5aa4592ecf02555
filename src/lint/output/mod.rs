//! Findings for machines: one JSON object per finding ([`json`]), a SARIF
//! 2.1.0 log ([`sarif`]) and GitHub Actions workflow commands ([`github`]).
//! The human report is miette's, rendered by the CLI.

pub mod github;
pub mod json;
pub mod sarif;

use crate::source::Source;

use super::{Finding, Severity};

/// One document's findings with its source, which gives lines and columns.
pub struct Report<'a> {
    pub source: &'a Source,
    pub findings: &'a [Finding],
}

/// 1-based start and end line and column of a finding (end exclusive).
pub fn region(source: &Source, finding: &Finding) -> (usize, usize, usize, usize) {
    let (line, column) = source.line_col(finding.span.start);
    let (end_line, end_column) = source.line_col(finding.span.end);
    (line, column, end_line, end_column)
}

/// How loud a finding is in annotations and SARIF: failing ones (at or above
/// the run's `--fail-on` threshold) are errors, so the report agrees with
/// the exit status; the rest are warnings or notes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loudness {
    Error,
    Warning,
    Note,
}

pub fn loudness(severity: Severity, fail_on: Severity) -> Loudness {
    if severity >= fail_on {
        Loudness::Error
    } else if severity >= Severity::Warning {
        Loudness::Warning
    } else {
        Loudness::Note
    }
}
