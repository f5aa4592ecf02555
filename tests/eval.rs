//! `policies/eval/`: every decision suite passes, run through the same code
//! as `keyward test`.

use std::path::{Path, PathBuf};

use keyward::suite::{run_suite, Suite};

fn suites(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("policies/eval") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            suites(&path, found);
        } else if path.to_string_lossy().ends_with(".suite.json") {
            found.push(path);
        }
    }
}

#[test]
fn every_decision_suite_passes() {
    let mut files = Vec::new();
    suites(&Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/eval"), &mut files);
    files.sort();
    let mut failures = Vec::new();
    let mut cases = 0;
    for file in &files {
        let suite = Suite::load(file).unwrap_or_else(|e| panic!("{}: {e:?}", file.display()));
        for result in run_suite(&suite).unwrap_or_else(|e| panic!("{}: {e:?}", file.display())) {
            cases += 1;
            if !result.passed {
                failures.push(format!(
                    "{} :: {}: expected {}, got {} ({})",
                    file.display(),
                    result.name,
                    result.expected.as_str(),
                    result.actual.decision,
                    result.actual.summary
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        cases >= 150,
        "policies/eval holds {cases} cases; the evaluator issue asks for at least 150"
    );
}
