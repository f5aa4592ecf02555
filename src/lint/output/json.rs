//! `--format json`: one object per finding and line, fields in this order:
//! `file`, `rule`, `severity`, `message`, `line`, `column`, `end_line`,
//! `end_column`, `help`, then Access Analyzer's `issueCode` and `findingType`
//! where the finding has a counterpart there.

use serde::Serialize;

use super::{region, Report};

#[derive(Serialize)]
struct Line<'a> {
    file: &'a str,
    rule: &'a str,
    severity: &'static str,
    message: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: Option<&'a str>,
    #[serde(rename = "issueCode", skip_serializing_if = "Option::is_none")]
    issue_code: Option<&'static str>,
    #[serde(rename = "findingType", skip_serializing_if = "Option::is_none")]
    finding_type: Option<&'static str>,
}

/// The lines for one document, each ending in a newline.
pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for finding in report.findings {
        let (line, column, end_line, end_column) = region(report.source, finding);
        let object = Line {
            file: report.source.name(),
            rule: &finding.rule,
            severity: finding.severity.as_str(),
            message: &finding.message,
            line,
            column,
            end_line,
            end_column,
            help: finding.help.as_deref(),
            issue_code: finding.issue_code,
            finding_type: finding.finding_type().map(|t| t.as_str()),
        };
        if let Ok(text) = serde_json::to_string(&object) {
            out.push_str(&text);
            out.push('\n');
        }
    }
    out
}
