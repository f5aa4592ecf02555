//! `--format github`: GitHub Actions workflow commands, which the runner
//! turns into annotations on the pull request's diff.

use super::{region, Report};
use crate::lint::Severity;

/// The commands for one document, one per line.
pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for finding in report.findings {
        let (line, column, end_line, end_column) = region(report.source, finding);
        let command = match finding.severity {
            Severity::Error | Severity::Security => "error",
            Severity::Warning => "warning",
            Severity::Suggestion => "notice",
        };
        let mut message = finding.message.clone();
        if let Some(help) = &finding.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{command} file={},line={line},col={column},endLine={end_line},endColumn={end_column},title={}::{}\n",
            property(report.source.name()),
            property(&format!("keyward {}", finding.rule)),
            data(&message),
        ));
    }
    out
}

/// Escapes a command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_what_the_runner_would_split_on() {
        assert_eq!(super::property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
        assert_eq!(super::data("a,b:c"), "a,b:c");
    }
}
