//! Access Analyzer coverage: every `ValidatePolicy` issue code is reported by
//! some keyward finding on the corpus, or is listed with the reason it does
//! not apply (`access_analyzer::NOT_COVERED`). `policies/lint-codes/` holds
//! one small policy per code the rule fixtures do not already trigger, named
//! `<CODE>.<kind>.json`, where the kind is `auto`, `identity`, `key`,
//! `trust`, `scp`, `rcp`, `resource` or `bucket` (a resource policy attached to
//! an `AWS::S3::Bucket`, as `--resource-type` says).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use keyward::lint::output::{self, Report};
use keyward::lint::{access_analyzer, explain, Finding, Linter, ResourceType};
use keyward::policy::DocumentKind;
use keyward::source::Source;

use super::corpus::json_files;

/// How a sample is linted: as a kind of document, and for resource
/// policies of `bucket`s, attached to that resource type.
#[derive(Clone, Copy, Debug)]
struct As {
    kind: Option<DocumentKind>,
    resource_type: Option<ResourceType>,
}

fn kind(name: &str) -> As {
    let kind = match name {
        "identity" => Some(DocumentKind::IdentityPolicy),
        "key" => Some(DocumentKind::KeyPolicy),
        "resource" | "bucket" => Some(DocumentKind::Policy),
        "trust" => Some(DocumentKind::RoleTrustPolicy),
        "scp" => Some(DocumentKind::ServiceControlPolicy),
        "rcp" => Some(DocumentKind::ResourceControlPolicy),
        _ => None,
    };
    let resource_type = (name == "bucket").then_some(ResourceType::S3Bucket);
    As { kind, resource_type }
}

fn linter(how: As) -> Linter {
    Linter {
        resource_type: how.resource_type,
        ..Linter::default()
    }
}

/// `<CODE>.<kind>.pass.json`: a near miss of the code's sample that must not raise it.
fn is_pass(path: &Path) -> bool {
    path.to_str().is_some_and(|p| p.ends_with(".pass.json"))
}

fn lint_path(path: &Path, how: As) -> (Source, Vec<Finding>) {
    let text = std::fs::read_to_string(path).expect("UTF-8 corpus file");
    let name = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string();
    let source = Source::new(name, text);
    let findings = linter(how).lint_file(&source, how.kind).findings;
    (source, findings)
}

fn codes_of(path: &Path, how: As) -> BTreeSet<&'static str> {
    findings_of(path, how)
        .into_iter()
        .filter_map(|(_, code)| code)
        .collect()
}

/// `(rule, issue code)` of each finding.
fn findings_of(path: &Path, how: As) -> Vec<(String, Option<&'static str>)> {
    let text = std::fs::read_to_string(path).expect("UTF-8 corpus file");
    let source = Source::new(path.display().to_string(), text);
    linter(how)
        .lint_file(&source, how.kind)
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
            let how = kind(file.split('.').nth(1).unwrap_or_default());
            for (rule, code) in findings_of(&path, how) {
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
        .filter(|path| !is_pass(path))
        .map(|path| {
            let file = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            let mut parts = file.split('.');
            let code = parts.next().unwrap_or_default().to_owned();
            let how = kind(parts.next().unwrap_or_default());
            let raised = codes_of(&path, how);
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
            raised.extend(codes_of(&path, kind("auto")));
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

/// A policy file and the kind it is linted as.
type Fixture = (PathBuf, As);

/// For each Access Analyzer code keyward raises: a policy that raises it
/// (its `policies/lint-codes/` sample, else the first rule fixture that
/// does) and one that does not: the sample's `.pass.json` near miss, or for
/// a rule fixture `policies/lint-codes/<CODE>.auto.pass.json`, else the
/// `.good.json` fixture of the rule that raised it.
fn code_fixtures() -> BTreeMap<&'static str, (Fixture, Option<Fixture>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut fails: BTreeMap<&'static str, (Fixture, String)> = BTreeMap::new();
    for path in json_files(&root.join("lint-codes")).into_iter().filter(|p| !is_pass(p)) {
        let file = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let mut parts = file.split('.');
        let code = parts.next().unwrap_or_default();
        let how = kind(parts.next().unwrap_or_default());
        for (rule, raised) in findings_of(&path, how) {
            if let Some(code) = raised.filter(|r| *r == code) {
                fails.entry(code).or_insert(((path.clone(), how), rule));
            }
        }
    }
    for path in json_files(&root.join("lint")) {
        for (rule, raised) in findings_of(&path, kind("auto")) {
            if let Some(code) = raised {
                fails.entry(code).or_insert(((path.clone(), kind("auto")), rule));
            }
        }
    }
    fails
        .into_iter()
        .map(|(code, ((path, how), rule))| {
            let near_miss = path.with_extension("pass.json");
            let dedicated = root.join("lint-codes").join(format!("{code}.auto.pass.json"));
            let good = root.join("lint").join(format!("{rule}.good.json"));
            let passes = if near_miss.is_file() {
                Some((near_miss, how))
            } else if dedicated.is_file() {
                Some((dedicated, kind("auto")))
            } else if good.is_file() {
                Some((good, kind("auto")))
            } else {
                None
            };
            (code, ((path, how), passes))
        })
        .collect()
}

fn snapshot_text(source: &Source, how: As, findings: &[Finding]) -> String {
    let on = how
        .resource_type
        .map(|t| format!(", attached to: {t}"))
        .unwrap_or_default();
    format!(
        "{} (kind: {}{on})\n{}\n{}",
        source.name(),
        how.kind.map_or("auto".to_owned(), |k| format!("{k:?}")),
        source.text().trim_end(),
        output::json::render(&Report { source, findings })
    )
}

/// Snapshot tests for every Access Analyzer code keyward raises: one
/// policy that raises it and one that does not, with all their findings
/// (`snapshots/lint_code@<CODE>.fails.snap` and `.passes.snap`).
#[test]
fn each_access_analyzer_code_raised_and_not_raised_snapshots() {
    let fixtures = code_fixtures();
    let mut wrong = Vec::new();
    let mut snapshots = Vec::new();
    for (code, ((fails, fails_kind), passes)) in &fixtures {
        let (source, findings) = lint_path(fails, *fails_kind);
        if !findings.iter().any(|f| f.issue_code == Some(*code)) {
            wrong.push(format!("{code}: {} does not raise it", source.name()));
        }
        snapshots.push((
            format!("lint_code@{code}.fails"),
            snapshot_text(&source, *fails_kind, &findings),
        ));
        let Some((passes, passes_kind)) = passes else {
            wrong.push(format!("{code}: no policy that passes (add {code}.<kind>.pass.json)"));
            continue;
        };
        let (source, findings) = lint_path(passes, *passes_kind);
        if findings.iter().any(|f| f.issue_code == Some(*code)) {
            wrong.push(format!("{code}: {} raises it", source.name()));
        }
        snapshots.push((
            format!("lint_code@{code}.passes"),
            snapshot_text(&source, *passes_kind, &findings),
        ));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let raised: BTreeSet<&str> = fixtures.keys().copied().collect();
    let excused = access_analyzer::NOT_COVERED
        .iter()
        .filter(|(c, _)| !raised.contains(c))
        .count();
    assert_eq!(raised.len() + excused, access_analyzer::codes().count());
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        filters => vec![(r"IAM catalogue: [^)]*\([0-9-]+\)", "IAM catalogue: [catalogue]")],
    }, {
        for (name, text) in snapshots {
            insta::assert_snapshot!(name, text);
        }
    });
}
