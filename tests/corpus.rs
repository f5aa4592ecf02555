//! The `policies/` corpus: every valid document reads cleanly and formats to
//! an equal model; every invalid document is refused.

use std::path::{Path, PathBuf};

use keyward::policy::{fmt::to_canonical_json, Document};
use keyward::source::Source;

/// Every `*.json` file under `dir`, in path order.
pub(crate) fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn corpus(sub: &str) -> Vec<PathBuf> {
    json_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("policies").join(sub))
}

fn read(path: &Path) -> Result<Document, keyward::policy::PolicyErrors> {
    let bytes = std::fs::read(path).expect("readable");
    let text = String::from_utf8_lossy(&bytes);
    Document::parse(&Source::new(path.display().to_string(), text.as_ref()), None)
}

#[test]
fn every_aws_docs_example_is_valid() {
    let files = corpus("valid");
    assert!(
        files.len() >= 400,
        "the AWS docs corpus is in policies/valid ({} files)",
        files.len()
    );
    let failures: Vec<String> = files
        .iter()
        .filter_map(|path| read(path).err())
        .map(|e| {
            format!(
                "{}: {:?}",
                e.src.name(),
                e.errors.iter().map(|x| x.to_string()).collect::<Vec<_>>()
            )
        })
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn formatting_the_corpus_keeps_meaning_and_is_idempotent() {
    for path in corpus("valid") {
        let document = read(&path).unwrap();
        let printed = to_canonical_json(&document);
        let reread = Document::parse(&Source::new("printed", printed.as_str()), None)
            .unwrap_or_else(|e| panic!("{}: printed text does not read back: {e:?}", path.display()));
        assert_eq!(reread, document, "{}: formatting changed the model", path.display());
        assert_eq!(
            to_canonical_json(&reread),
            printed,
            "{}: formatting is not idempotent",
            path.display()
        );
    }
}

#[test]
fn every_invalid_document_is_refused() {
    let files = corpus("invalid");
    assert!(!files.is_empty());
    for path in files {
        assert!(read(&path).is_err(), "{} should have problems", path.display());
    }
}
