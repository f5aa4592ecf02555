//! Findings for machines: one JSON object per finding ([`json`]), a SARIF
//! 2.1.0 log ([`sarif`]) and GitHub Actions workflow commands ([`github`]).
//! The human report is miette's, rendered by the CLI.

pub mod github;
pub mod json;
pub mod sarif;

use crate::source::Source;

use super::Finding;

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
