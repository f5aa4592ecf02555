//! `keyward test`: run policy test suites, print each failing case with its
//! explanation, and end with `N passed, M failed`.

use std::path::{Path, PathBuf};

use keyward::suite::{run_suite, Suite};

use super::args::{SimulateFormat, TestArgs};
use super::{explain, Exit};

/// Suites named on the command line; folders are searched for `*.suite.json`.
fn suites(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut inner = Vec::new();
            let is_suite = |p: &Path| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with(".suite.json"))
            };
            super::inputs::walk(path, &is_suite, &mut inner)
                .map_err(|e| format!("cannot read folder `{}`: {e}", path.display()))?;
            inner.sort();
            found.extend(inner);
        } else if path.exists() {
            found.push(path.clone());
        } else {
            return Err(format!("cannot read `{}`: no such file or folder", path.display()));
        }
    }
    Ok(found)
}

pub fn run(args: &TestArgs) -> Exit {
    let files = match suites(&args.suites) {
        Ok(files) if files.is_empty() => {
            eprintln!("error: no `*.suite.json` files found");
            return Exit::Failure;
        }
        Ok(files) => files,
        Err(message) => {
            eprintln!("error: {message}");
            return Exit::Failure;
        }
    };
    let json = args.format == SimulateFormat::Json;
    let (mut passed, mut failed, mut broken) = (0usize, 0usize, false);
    for file in &files {
        let results = Suite::load(file).and_then(|suite| run_suite(&suite).map(|r| (suite, r)));
        let (suite, results) = match results {
            Ok(ok) => ok,
            Err(error) => {
                eprint!("{}", super::render::report(&error));
                broken = true;
                continue;
            }
        };
        for result in results {
            if result.passed {
                passed += 1;
            } else {
                failed += 1;
            }
            if json {
                let line = serde_json::json!({
                    "suite": file.display().to_string(),
                    "case": result.name,
                    "expected": result.expected.as_str(),
                    "actual": result.actual.decision.as_str(),
                    "expected_why": result.expected_why,
                    "actual_why": result.actual.why,
                    "expected_reasons": result.expected_reasons,
                    "actual_reasons": result.actual_reasons,
                    "expected_guardrail_notes": result.expected_guardrail_notes,
                    "actual_guardrail_notes": result.actual_guardrail_notes,
                    "passed": result.passed,
                });
                outln!("{line}");
            } else if !result.passed {
                outln!("FAIL {} :: {}", file.display(), result.name);
                outln!("expected {}, got {}", result.expected.as_str(), result.actual.decision);
                if let Some(why) = &result.expected_why {
                    outln!("expected reason `{why}`, got `{}`", result.actual.why);
                }
                if let Some(reasons) = &result.expected_reasons {
                    outln!(
                        "expected deciding statements [{}], got [{}]",
                        reasons.join(", "),
                        result.actual_reasons.join(", ")
                    );
                }
                if let Some(notes) = &result.expected_guardrail_notes {
                    outln!(
                        "expected guardrail notes [{}], got [{}]",
                        notes.join(", "),
                        result.actual_guardrail_notes.join(", ")
                    );
                }
                if let Some(reference) = &result.reference {
                    outln!("reference: {reference}");
                }
                out!("{}", explain::text(&result.actual, &suite.sources, false, true));
                outln!();
            }
        }
    }
    if !json {
        outln!("{passed} passed, {failed} failed");
    }
    match (broken, failed) {
        (true, _) => Exit::Failure,
        (false, 0) => Exit::Success,
        _ => Exit::Problems,
    }
}
