//! `--format sarif`: one SARIF 2.1.0 log for the whole run, with every rule's
//! metadata in the tool's driver and a region for each result.

use serde_json::{json, Value};

use super::{loudness, region, Loudness, Report};
use crate::lint::rules::{self, Rule};
use crate::lint::Severity;

const SCHEMA: &str = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";

fn level(severity: Severity, fail_on: Severity) -> &'static str {
    match loudness(severity, fail_on) {
        Loudness::Error => "error",
        Loudness::Warning => "warning",
        Loudness::Note => "note",
    }
}

fn descriptor(rule: &Rule, fail_on: Severity) -> Value {
    let info = &rule.info;
    let mut properties = json!({ "severity": info.severity.as_str() });
    if info.severity == Severity::Security {
        properties["tags"] = json!(["security"]);
    }
    if let Some(code) = info.access_analyzer {
        properties["accessAnalyzerIssueCode"] = json!(code);
    }
    json!({
        "id": info.name,
        "name": info.name,
        "shortDescription": { "text": info.summary },
        "fullDescription": { "text": info.rationale },
        "help": {
            "text": format!("{}\n\nBad:\n{}\n\nGood:\n{}", info.rationale, info.bad, info.good),
        },
        "defaultConfiguration": { "level": level(info.severity, fail_on) },
        "properties": properties,
    })
}

/// The log for every document of a run; results at or above `fail_on` are
/// at level `error`, so the log agrees with the exit status.
pub fn render(reports: &[Report<'_>], fail_on: Severity) -> String {
    render_omitting(reports, fail_on, 0)
}

/// [`render`] for reports from which `omitted` findings were left out
/// (`--max-findings`): the log says so in a tool execution notification of
/// its invocation, which keeps it valid SARIF.
pub fn render_omitting(reports: &[Report<'_>], fail_on: Severity, omitted: usize) -> String {
    let mut results = Vec::new();
    for report in reports {
        for finding in report.findings {
            let (line, column, end_line, end_column) = region(report.source, finding);
            let mut result = json!({
                "ruleId": finding.rule,
                "level": level(finding.severity, fail_on),
                "message": { "text": match &finding.help {
                    Some(help) => format!("{}\nhelp: {help}", finding.message),
                    None => finding.message.clone(),
                } },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(report.source.name()) },
                        "region": {
                            "startLine": line,
                            "startColumn": column,
                            "endLine": end_line,
                            "endColumn": end_column.max(1),
                        },
                    },
                }],
            });
            if let Some(code) = finding.issue_code {
                result["properties"] = json!({
                    "issueCode": code,
                    "findingType": finding.finding_type().map(|t| t.as_str()),
                });
            }
            if let Some(index) = rules::ALL.iter().position(|r| r.info.name == finding.rule) {
                result["ruleIndex"] = json!(index);
            }
            results.push(result);
        }
    }
    let mut log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "keyward",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules::ALL.iter().map(|r| descriptor(r, fail_on)).collect::<Vec<_>>(),
                    "properties": { "catalogue": crate::catalog::get().version() },
                },
            },
            "results": results,
        }],
    });
    if omitted > 0 {
        log["runs"][0]["invocations"] = json!([{
            "executionSuccessful": true,
            "toolExecutionNotifications": [{
                "level": "warning",
                "message": { "text": format!(
                    "{omitted} findings were left out (`--max-findings`); the exit status counts them"
                ) },
            }],
        }]);
    }
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

/// A relative URI reference for a path: forward slashes, and every byte
/// outside the unreserved set percent-encoded (`<stdin>` → `%3Cstdin%3E`).
fn uri(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path).replace('\\', "/");
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_become_uri_references() {
        assert_eq!(super::uri("./policies/a b.json"), "policies/a%20b.json");
        assert_eq!(super::uri("<stdin>"), "%3Cstdin%3E");
    }
}
