//! Access Analyzer coverage: every `ValidatePolicy` issue code is reported by
//! some keyward finding on the corpus, or is listed with the reason it does
//! not apply (`access_analyzer::NOT_COVERED`). `policies/lint-codes/` holds
//! one small policy per code the rule fixtures do not already trigger, named
//! `<CODE>.<kind>.json`, where the kind is `auto`, `identity`, `key`,
//! `trust`, `scp` or `rcp`.

use std::collections::BTreeSet;
use std::path::Path;

use keyward::lint::{access_analyzer, explain, Linter};
use keyward::policy::DocumentKind;
use keyward::source::Source;

use super::corpus::json_files;

fn kind(name: &str) -> Option<DocumentKind> {
    match name {
        "identity" => Some(DocumentKind::IdentityPolicy),
        "key" => Some(DocumentKind::KeyPolicy),
        "resource" => Some(DocumentKind::Policy),
        "trust" => Some(DocumentKind::RoleTrustPolicy),
        "scp" => Some(DocumentKind::ServiceControlPolicy),
        "rcp" => Some(DocumentKind::ResourceControlPolicy),
        _ => None,
    }
}

fn codes_of(path: &Path, kind: Option<DocumentKind>) -> BTreeSet<&'static str> {
    findings_of(path, kind)
        .into_iter()
        .filter_map(|(_, code)| code)
        .collect()
}

/// `(rule, issue code)` of each finding.
fn findings_of(path: &Path, kind: Option<DocumentKind>) -> Vec<(String, Option<&'static str>)> {
    let text = std::fs::read_to_string(path).expect("UTF-8 corpus file");
    let source = Source::new(path.display().to_string(), text);
    Linter::default()
        .lint_file(&source, kind)
        .findings
        .into_iter()
        .map(|f| (f.rule, f.issue_code))
        .collect()
}

#[test]
fn every_finding_on_the_corpus_has_a_page_for_its_rule_and_its_code_naming_that_rule() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut wrong = BTreeSet::new();
    for dir in ["lint", "lint-codes"] {
        for path in json_files(&root.join(dir)) {
            let file = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            let kind = kind(file.split('.').nth(1).unwrap_or_default());
            for (rule, code) in findings_of(&path, kind) {
                if let Err(e) = explain::page(&rule) {
                    wrong.insert(format!("{rule}: {e}"));
                }
                let Some(code) = code else { continue };
                match explain::page(code) {
                    Ok(page) if page.contains(&rule) => {}
                    Ok(_) => {
                        wrong.insert(format!("{code}: its page does not name `{rule}` ({file})"));
                    }
                    Err(e) => {
                        wrong.insert(format!("{code}: {e}"));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.into_iter().collect::<Vec<_>>().join("\n"));
}

/// `(file, its code, the codes it raised)` for `policies/lint-codes/`.
fn samples() -> Vec<(String, String, BTreeSet<&'static str>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/lint-codes");
    json_files(&dir)
        .into_iter()
        .map(|path| {
            let file = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            let mut parts = file.split('.');
            let code = parts.next().unwrap_or_default().to_owned();
            let kind = kind(parts.next().unwrap_or_default());
            let raised = codes_of(&path, kind);
            (file, code, raised)
        })
        .collect()
}

#[test]
fn each_code_sample_raises_its_code() {
    let wrong: Vec<String> = samples()
        .into_iter()
        .filter(|(_, code, raised)| !raised.contains(code.as_str()))
        .map(|(file, _, raised)| format!("{file}: got {raised:?}"))
        .collect();
    assert!(wrong.is_empty(), "samples without their code:\n{}", wrong.join("\n"));
}

#[test]
fn every_access_analyzer_code_is_covered_or_has_a_reason() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut raised: BTreeSet<&'static str> = BTreeSet::new();
    for dir in ["lint", "lint-templates"] {
        for path in json_files(&root.join(dir)) {
            raised.extend(codes_of(&path, None));
        }
    }
    for (_, _, codes) in samples() {
        raised.extend(codes);
    }
    let excused: BTreeSet<&str> = access_analyzer::NOT_COVERED.iter().map(|(c, _)| *c).collect();
    let all: Vec<&str> = access_analyzer::codes().collect();
    let missing: Vec<&&str> = all
        .iter()
        .filter(|c| !raised.contains(**c) && !excused.contains(**c))
        .collect();
    assert!(missing.is_empty(), "no finding and no reason for: {missing:?}");
    let both: Vec<&&str> = excused.iter().filter(|c| raised.contains(**c)).collect();
    assert!(both.is_empty(), "listed as not covered but raised: {both:?}");
    for (code, reason) in access_analyzer::NOT_COVERED {
        assert!(all.contains(code), "{code} is not an Access Analyzer code");
        assert!(!reason.is_empty());
    }
    let covered = all.iter().filter(|c| raised.contains(**c)).count();
    println!("Access Analyzer codes covered: {covered} / {}", all.len());
}
