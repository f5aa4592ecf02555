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

/// The findings a machine format lists when at most `max` may be (`0`: no
/// limit): the most severe, in reading order, and how many were left out.
/// The exit status is decided on all of them.
pub fn bounded(findings: &[Finding], max: usize) -> (Vec<Finding>, usize) {
    if max == 0 || findings.len() <= max {
        return (findings.to_vec(), 0);
    }
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(findings[i].severity));
    order.truncate(max);
    order.sort_unstable();
    let kept = order.into_iter().map(|i| findings[i].clone()).collect();
    (kept, findings.len() - max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn bounded_keeps_the_most_severe_in_reading_order() {
        let finding = |at: usize, severity| Finding::new("r", severity, Span::at(at), "m");
        let all = vec![
            finding(0, Severity::Suggestion),
            finding(1, Severity::Error),
            finding(2, Severity::Warning),
            finding(3, Severity::Security),
        ];
        let (kept, left_out) = bounded(&all, 2);
        assert_eq!(left_out, 2);
        assert_eq!(kept.iter().map(|f| f.span.start).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(bounded(&all, 0).1, 0);
    }
}
