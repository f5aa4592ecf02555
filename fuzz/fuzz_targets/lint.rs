//! The linter on any text, as each policy type and as a template: findings
//! (with their Access Analyzer codes) in every output format, never a panic.
#![no_main]

use keyward::lint::output::{self, Report};
use keyward::lint::{Linter, Severity};
use keyward::policy::DocumentKind;
use keyward::source::Source;
use libfuzzer_sys::fuzz_target;

const KINDS: [Option<DocumentKind>; 7] = [
    None,
    Some(DocumentKind::KeyPolicy),
    Some(DocumentKind::IdentityPolicy),
    Some(DocumentKind::RoleTrustPolicy),
    Some(DocumentKind::ServiceControlPolicy),
    Some(DocumentKind::ResourceControlPolicy),
    Some(DocumentKind::Grants),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let kind = KINDS[usize::from(selector) % KINDS.len()];
    let name = if selector & 0x80 != 0 { "fuzz.yaml" } else { "fuzz.json" };
    let source = Source::new(name, text);
    let linted = Linter::default().lint_file(&source, kind);
    let (findings, _) = output::bounded(&linted.findings, 100);
    let report = Report {
        source: &source,
        findings: &findings,
    };
    let _ = output::json::render(&report);
    let _ = output::github::render(&report, Severity::Security);
    let _ = output::sarif::render(&[report], Severity::Security);
    for finding in &linted.findings {
        assert!(
            finding.message.len() <= 4_096,
            "an unbounded message: {}",
            finding.message.len()
        );
    }
});
