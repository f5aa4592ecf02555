//! `--format github`: GitHub Actions workflow commands, which the runner
//! turns into annotations on the pull request's diff.

use super::{loudness, region, Loudness, Report};
use crate::lint::Severity;

/// The commands for one document, one per line; findings at or above
/// `fail_on` are errors, so a failing job shows errors and a passing one none.
pub fn render(report: &Report<'_>, fail_on: Severity) -> String {
    let mut out = String::new();
    for finding in report.findings {
        let (line, column, end_line, end_column) = region(report.source, finding);
        let command = match loudness(finding.severity, fail_on) {
            Loudness::Error => "error",
            Loudness::Warning => "warning",
            Loudness::Note => "notice",
        };
        let mut message = finding.message.clone();
        if let Some(help) = &finding.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{command} file={},line={line},col={column},endLine={end_line},endColumn={end_column},title={}::{}\n",
            property(report.source.name()),
            property(&match finding.issue_code {
                Some(code) => format!("keyward {} ({code})", finding.rule),
                None => format!("keyward {}", finding.rule),
            }),
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
pub fn property(text: &str) -> String {
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
