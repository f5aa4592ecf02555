//! Diagnostics for the hand-made broken documents in `policies/invalid/`:
//! one snapshot per file of what `keyward check` prints, a check that the
//! corpus shows every diagnostic code, and the exact text some labels underline.

use std::collections::BTreeSet;
use std::path::Path;

use keyward::json;
use keyward::policy::{Document, PolicyError, PolicyErrors};
use keyward::source::{Source, Span};
use miette::{GraphicalReportHandler, GraphicalTheme};

/// Reads a corpus file the way `keyward check` does (`cli::inputs::load`):
/// UTF-8 text, or a lossy text carrying the invalid-UTF-8 error.
fn problems(path: &Path) -> PolicyErrors {
    let bytes = std::fs::read(path).expect("readable corpus file");
    let name = path.file_name().expect("a file name").to_string_lossy().into_owned();
    let outcome = match json::decode(&bytes) {
        Ok(text) => Document::parse(&Source::new(name, text), None).map(|_| ()),
        Err(error) => Err(PolicyErrors {
            src: Source::new(name, String::from_utf8_lossy(&bytes).into_owned()),
            errors: vec![PolicyError::Json(error)],
        }),
    };
    match outcome {
        Ok(()) => panic!("{} is in policies/invalid but reads cleanly", path.display()),
        Err(errors) => errors,
    }
}

fn invalid(file: &str) -> PolicyErrors {
    problems(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("policies/invalid")
            .join(file),
    )
}

fn invalid_corpus() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/invalid");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("policies/invalid")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// Every problem as `keyward check` shows it, without colour and at a fixed
/// width. Control characters other than newline are shown as their Unicode
/// control pictures (`␀`, `␉`, …) so that snapshots stay plain text.
fn render(errors: &PolicyErrors) -> String {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let mut out = String::new();
    for located in errors.located() {
        handler
            .render_report(&mut out, &located)
            .expect("rendering into a string");
        out.push('\n');
    }
    out.chars()
        .map(|c| match c {
            '\n' => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or(c),
            '\u{7f}' => '\u{2421}',
            _ => c,
        })
        .collect()
}

#[test]
fn invalid_documents() {
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::glob!("../policies/invalid", "*.json", |path| {
            insta::assert_snapshot!(render(&problems(path)));
        });
    });
}

#[test]
fn every_diagnostic_code_has_an_invalid_example() {
    // Not here: `keyward::json::too-large` needs a file over 4 MiB (unit-tested
    // in `json`), and `keyward::policy::misplaced-element` needs
    // `--kind identity-policy` (a detected policy naming a principal is a
    // resource policy).
    let expected: BTreeSet<&str> = [
        "keyward::grant::constraint-limit",
        "keyward::grant::unknown-operation",
        "keyward::json::byte-order-mark",
        "keyward::json::control-character",
        "keyward::json::duplicate-key",
        "keyward::json::invalid-utf8",
        "keyward::json::lone-surrogate",
        "keyward::json::nul-byte",
        "keyward::json::syntax",
        "keyward::json::too-deep",
        "keyward::policy::conflicting-elements",
        "keyward::policy::duplicate-sid",
        "keyward::policy::empty-statement",
        "keyward::policy::empty-value",
        "keyward::policy::invalid-action",
        "keyward::policy::invalid-condition-key",
        "keyward::policy::invalid-effect",
        "keyward::policy::invalid-principal",
        "keyward::policy::invalid-resource",
        "keyward::policy::invalid-version",
        "keyward::policy::missing-element",
        "keyward::policy::unknown-condition-operator",
        "keyward::policy::unknown-document",
        "keyward::policy::unknown-element",
        "keyward::policy::wrong-type",
    ]
    .into_iter()
    .collect();
    let found: BTreeSet<String> = invalid_corpus()
        .iter()
        .flat_map(|path| problems(path).errors)
        .map(|error| error.code_str())
        .collect();
    let missing: Vec<&&str> = expected.iter().filter(|code| !found.contains(**code)).collect();
    assert!(missing.is_empty(), "no invalid example shows {missing:?}");
}

/// The code, the text under the primary label and the help of each problem.
fn underlined(file: &str) -> Vec<(String, String, Option<String>)> {
    let errors = invalid(file);
    errors
        .located()
        .map(|located| {
            let span = located.error.primary_span().expect("every problem has a label");
            let span = Span::new(span.offset(), span.offset() + span.len());
            let help = miette::Diagnostic::help(&located).map(|h| h.to_string());
            (located.error.code_str(), located.source().slice(span).to_owned(), help)
        })
        .collect()
}

fn codes_and_text(file: &str) -> Vec<(String, String)> {
    underlined(file)
        .into_iter()
        .map(|(code, text, _)| (code, text))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(code, text)| ((*code).to_owned(), (*text).to_owned()))
        .collect()
}

#[test]
fn labels_underline_the_offending_text() {
    let efect = underlined("element-misspelt-efect.json");
    assert_eq!(
        efect,
        vec![(
            "keyward::policy::unknown-element".to_owned(),
            "\"Efect\"".to_owned(),
            Some("did you mean `Effect`?".to_owned())
        )]
    );

    let operator = underlined("condition-operator-string-equal.json");
    assert_eq!(operator.len(), 1);
    assert_eq!(operator[0].0, "keyward::policy::unknown-condition-operator");
    assert_eq!(operator[0].1, "\"StringEqual\"");
    assert_eq!(operator[0].2.as_deref(), Some("did you mean `StringEquals`?"));

    assert_eq!(
        codes_and_text("effect-lowercase-allow.json"),
        pairs(&[("keyward::policy::invalid-effect", "\"allow\"")])
    );
    assert_eq!(
        codes_and_text("statement-missing-effect.json"),
        pairs(&[("keyward::policy::missing-element", "{")])
    );
    assert_eq!(
        codes_and_text("statement-action-and-notaction.json"),
        pairs(&[("keyward::policy::conflicting-elements", "\"NotAction\"")])
    );
    assert_eq!(
        codes_and_text("json-duplicate-key-action.json"),
        pairs(&[("keyward::json::duplicate-key", "\"Action\"")])
    );
    assert_eq!(
        codes_and_text("action-missing-service-prefix.json"),
        pairs(&[
            ("keyward::policy::invalid-action", "\"Decrypt\""),
            ("keyward::policy::invalid-action", "\"kms:\""),
            ("keyward::policy::invalid-action", "\"kms Encrypt\""),
        ])
    );
    assert_eq!(
        codes_and_text("principal-iam-group.json"),
        pairs(&[(
            "keyward::policy::invalid-principal",
            "\"arn:aws:iam::111122223333:group/Developers\""
        )])
    );
    assert_eq!(
        codes_and_text("principal-account-id-11-digits.json"),
        pairs(&[("keyward::policy::invalid-principal", "\"44445555666\"")])
    );
    assert_eq!(
        codes_and_text("identity-policy-duplicate-sid.json"),
        pairs(&[("keyward::policy::duplicate-sid", "\"AllowKeyUse\"")])
    );
    assert_eq!(
        codes_and_text("json-syntax-single-quotes.json"),
        pairs(&[("keyward::json::syntax", "'")])
    );
    assert_eq!(
        codes_and_text("json-syntax-bad-escape.json"),
        pairs(&[("keyward::json::syntax", "\\d")])
    );
    assert_eq!(
        codes_and_text("json-byte-order-mark.json"),
        pairs(&[("keyward::json::byte-order-mark", "\u{feff}")])
    );

    let operations = underlined("grant-operation-kms-prefix.json");
    assert_eq!(
        operations
            .iter()
            .map(|(code, text, _)| (code.as_str(), text.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("keyward::grant::unknown-operation", "\"kms:Decrypt\""),
            ("keyward::grant::unknown-operation", "\"kms:GenerateDataKey\""),
        ]
    );
    assert_eq!(
        operations[0].2.as_deref(),
        Some("grant operations have no `kms:` prefix: write `Decrypt`")
    );
}
