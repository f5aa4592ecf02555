//! Hostile input never panics a reader or the renderer: the proptest forms
//! of the fuzz targets in `fuzz/` (which run for hours outside CI; these run
//! a few hundred cases on every `cargo test`).
//!
//! Each property feeds a reader arbitrary or JSON-ish bytes, often behind a
//! line longer than miette can lay out, and asserts only what must hold for
//! any input: an answer comes back, and every problem renders in bounded
//! text with its true line and column.

use std::collections::BTreeMap;

use keyward::policy::{Document, DocumentKind};
use keyward::source::{Excerpted, Source, WIDE};
use miette::Diagnostic;
#[cfg(feature = "cli")]
use miette::{GraphicalReportHandler, GraphicalTheme};
use proptest::prelude::*;

use crate::proptest_config::config;
use crate::strategies;

/// Text that may sit behind a wide line (up to 100,000 bytes of `a`s in a
/// string), so spans land past column 65,535.
fn maybe_wide(bytes: impl Strategy<Value = Vec<u8>>) -> impl Strategy<Value = String> {
    (bytes, prop_oneof![Just(0usize), 0usize..2_000, 65_000usize..100_000]).prop_map(|(bytes, pad)| {
        let tail = String::from_utf8_lossy(&bytes);
        if pad == 0 {
            tail.into_owned()
        } else {
            format!("{{\"Sid\": \"{}\", {tail}", "a".repeat(pad))
        }
    })
}

/// Renders a problem the way `keyward check` does.
#[cfg(feature = "cli")]
fn render(source: &Source, diagnostic: &dyn Diagnostic) -> String {
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_context_lines(2);
    let _ = handler.render_report(&mut out, &Excerpted::new(diagnostic, source));
    out
}

/// Without miette's renderer: the excerpt of each label it would be given.
#[cfg(not(feature = "cli"))]
fn render(source: &Source, diagnostic: &dyn Diagnostic) -> String {
    let excerpted = Excerpted::new(diagnostic, source);
    let mut out = String::new();
    let Some(code) = excerpted.source_code() else {
        return out;
    };
    for label in excerpted.labels().into_iter().flatten() {
        if let Ok(contents) = code.read_span(label.inner(), 2, 2) {
            out.push_str(&String::from_utf8_lossy(contents.data()));
            out.push('\n');
        }
    }
    out
}

/// Line and column counted the slow, obvious way.
fn naive_line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = 1 + before.matches('\n').count();
    let column = 1 + before.rsplit('\n').next().unwrap_or("").chars().count();
    (line, column)
}

proptest! {
    #![proptest_config(config(regressions!("hostile")))]

    /// Any document's problems render, each in bounded text, with the
    /// position `line_col` gives (and `line_col` agrees with counting).
    #[test]
    fn every_problem_of_any_document_renders_bounded(text in maybe_wide(strategies::json_ish_bytes())) {
        let source = Source::new("hostile.json", text.as_str());
        for kind in [None, Some(DocumentKind::Grants)] {
            let Err(errors) = Document::parse(&source, kind) else { continue };
            for error in errors.errors.iter().take(8) {
                let out = render(&source, error);
                let longest = out.lines().map(|l| l.chars().count()).max().unwrap_or(0);
                prop_assert!(longest < 2 * WIDE + 1_000, "a rendered line of {longest} characters");
                let offset = error.primary_span().map_or(0, |s| s.offset());
                prop_assert_eq!(source.line_col(offset), naive_line_col(&text, offset));
            }
        }
    }

    /// Rendering any span of any text, even one past its end, gives an
    /// answer, never a panic.
    #[test]
    fn any_span_of_any_text_renders(
        text in maybe_wide(strategies::bytes()),
        start in any::<usize>(),
        len in prop_oneof![0usize..4, 0usize..300_000, any::<usize>()],
    ) {
        #[derive(Debug, thiserror::Error, Diagnostic)]
        #[error("a span")]
        struct At {
            #[label("here")]
            span: miette::SourceSpan,
        }
        let source = Source::new("any.txt", text.as_str());
        let start = if text.is_empty() { start % 4 } else { start % (text.len() + 4) };
        let len = len.min(usize::MAX - start);
        let _ = render(&source, &At { span: miette::SourceSpan::new(start.into(), len) });
    }

    /// The REPL's statement parser answers any line, and its diagnostics
    /// render.
    #[cfg(feature = "cli")]
    #[test]
    fn any_repl_line_parses_or_is_refused(text in maybe_wide(strategies::bytes())) {
        if let Err(error) = keyward::repl::Statement::parse(&text) {
            let mut out = String::new();
            let _ = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).render_report(&mut out, &error);
        }
    }

    /// Request specs (`simulate --request`, suite cases) answer any text.
    #[test]
    fn any_request_spec_parses_or_is_refused(bytes in strategies::json_ish_bytes()) {
        if let Ok(spec) = keyward::suite::RequestSpec::parse(&String::from_utf8_lossy(&bytes)) {
            let _ = spec.to_kms_request(None);
        }
    }

    /// The ciphertext-blob decoder answers any bytes, and no forged bytes
    /// open.
    #[test]
    fn no_arbitrary_bytes_open_as_a_ciphertext(bytes in strategies::bytes()) {
        let _ = keyward::crypto::peek(&bytes);
        let material = keyward::crypto::KeyMaterial::from_bytes([7; 32]);
        prop_assert!(keyward::crypto::open(&bytes, &material, &BTreeMap::new()).is_err());
    }

    /// The envelope-file header reader answers any bytes.
    #[test]
    fn any_bytes_read_as_an_envelope_header_or_are_refused(bytes in strategies::bytes()) {
        let mut with_magic = b"KWEF\x01".to_vec();
        with_magic.extend_from_slice(&bytes);
        let _ = keyward::crypto::envelope::read_header(&mut &bytes[..]);
        let _ = keyward::crypto::envelope::read_header(&mut &with_magic[..]);
    }

    /// The SigV4 `Authorization` header parser answers any text.
    #[cfg(feature = "serve")]
    #[test]
    fn any_authorization_header_parses_or_is_refused(text in ".{0,300}", tail in ".{0,64}") {
        let _ = keyward::server::sigv4::AuthorizationHeader::parse(&text);
        let header = format!("AWS4-HMAC-SHA256 Credential={tail}, SignedHeaders={text}, Signature={tail}");
        let _ = keyward::server::sigv4::AuthorizationHeader::parse(&header);
        let _ = keyward::server::sigv4::parse_amz_date(&tail);
    }
}

/// A folder of its own for each test thread's suite files.
fn suite_dir() -> std::path::PathBuf {
    let thread = format!("{:?}", std::thread::current().id()).replace(|c: char| !c.is_ascii_alphanumeric(), "");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hostile-suites")
        .join(thread);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// Loads `bytes` as a suite file and runs it: an answer, never a panic.
fn load_and_run(bytes: &[u8]) {
    let path = suite_dir().join("any.suite.json");
    std::fs::write(&path, bytes).expect("write the suite");
    if let Ok(suite) = keyward::suite::Suite::load(&path) {
        let _ = keyward::suite::run_suite(&suite);
    }
}

/// Every kind `lint --kind` takes, and none (inferred).
const LINT_KINDS: [Option<DocumentKind>; 8] = [
    None,
    Some(DocumentKind::Policy),
    Some(DocumentKind::KeyPolicy),
    Some(DocumentKind::IdentityPolicy),
    Some(DocumentKind::RoleTrustPolicy),
    Some(DocumentKind::ServiceControlPolicy),
    Some(DocumentKind::ResourceControlPolicy),
    Some(DocumentKind::Grants),
];

/// Lints `text` as every kind, as JSON and as a template (YAML), and
/// renders the findings in every machine format: never a panic, and every
/// message bounded.
fn lint_as_every_kind(text: &str) -> Result<(), TestCaseError> {
    use keyward::lint::output::{self, Report};
    use keyward::lint::{Linter, Severity};
    let linter = Linter::default();
    for name in ["any.json", "any.yaml"] {
        let source = Source::new(name, text);
        for kind in LINT_KINDS {
            let linted = linter.lint_file(&source, kind);
            for finding in &linted.findings {
                prop_assert!(
                    finding.message.len() <= 4_096,
                    "a message of {} bytes",
                    finding.message.len()
                );
            }
            let (findings, _) = output::bounded(&linted.findings, 100);
            let report = Report {
                source: &source,
                findings: &findings,
            };
            let _ = output::json::render(&report);
            let _ = output::github::render(&report, Severity::Security);
            let _ = output::sarif::render(&[report], Severity::Security);
        }
    }
    Ok(())
}

/// The shared case count divided by `by`: each case loads a suite from a
/// file, or lints sixteen times.
fn fewer_cases(regressions: &'static str, by: u32) -> ProptestConfig {
    let base = config(regressions);
    ProptestConfig {
        cases: (base.cases / by).max(1),
        ..base
    }
}

proptest! {
    #![proptest_config(fewer_cases(regressions!("hostile_suites"), 4))]

    /// Any bytes in a suite file load and run, or are refused.
    #[test]
    fn any_bytes_load_and_run_as_a_suite_or_are_refused(bytes in prop_oneof![strategies::json_ish_bytes(), strategies::bytes()]) {
        load_and_run(&bytes);
    }

    /// A suite of the right shape around any key policy, grant and request
    /// (each a generated value or arbitrary JSON-ish text) runs or is refused.
    #[test]
    fn a_suite_around_any_policy_grant_and_request_runs_or_is_refused(
        policy in prop_oneof![strategies::policy(), strategies::json_ish_bytes().prop_map(|b| serde_json::Value::String(String::from_utf8_lossy(&b).into_owned()))],
        grant in strategies::grant(),
        request in strategies::json_ish_bytes(),
        expect in prop::sample::select(vec!["Allow", "ImplicitDeny", "ExplicitDeny", "Deny", "?"]),
    ) {
        let request = String::from_utf8_lossy(&request);
        let request = serde_json::from_str(&request).unwrap_or(serde_json::Value::String(request.into_owned()));
        let suite = serde_json::json!({
            "key_policy": policy,
            "grants": [grant],
            "cases": [
                {"name": "any", "request": request, "expect": expect},
                {"name": "decrypt", "request": {"principal": "arn:aws:iam::111122223333:user/U", "action": "kms:Decrypt"}, "expect": expect},
            ],
        });
        load_and_run(suite.to_string().as_bytes());
    }
}

proptest! {
    #![proptest_config(fewer_cases(regressions!("hostile_lint"), 8))]

    /// The linter answers any text, as every kind of document.
    #[test]
    fn any_text_lints_as_every_kind(bytes in prop_oneof![strategies::json_ish_bytes(), strategies::bytes()]) {
        lint_as_every_kind(&String::from_utf8_lossy(&bytes))?;
    }

    /// The linter answers any well-formed policy, as every kind.
    #[test]
    fn any_policy_lints_as_every_kind(policy in strategies::policy()) {
        lint_as_every_kind(&serde_json::to_string_pretty(&policy).expect("JSON"))?;
    }
}

/// 2015-08-30T12:36:00Z, the date of AWS's SigV4 examples.
#[cfg(feature = "serve")]
const SIGV4_NOW: i64 = 1_440_938_160;

/// A request of any method, path, query, headers and body.
#[cfg(feature = "serve")]
fn any_request() -> impl Strategy<Value = (hyper::http::request::Parts, Vec<u8>)> {
    let header = (
        prop_oneof![
            "x-amz-[a-z0-9-]{1,10}",
            "[a-z][a-z0-9-]{0,12}",
            Just("content-type".to_owned())
        ],
        "[ -~\t]{0,40}",
    );
    (
        prop::sample::select(vec!["POST", "GET", "PUT", "DELETE", "PATCH"]),
        "(/[A-Za-z0-9._~%!$'()*+,;=:@-]{0,12}){0,4}",
        "([A-Za-z0-9._~%+-]{0,8}(=[A-Za-z0-9._~%+=-]{0,8})?&?){0,4}",
        prop::collection::vec(header, 0..6),
        strategies::bytes(),
    )
        .prop_filter_map("an invalid request", |(method, path, query, headers, body)| {
            let uri = if query.is_empty() {
                path.clone()
            } else {
                format!("{path}?{query}")
            };
            let uri = if uri.starts_with('/') { uri } else { format!("/{uri}") };
            let mut builder = hyper::http::Request::builder()
                .method(method)
                .uri(uri)
                .header("host", "localhost:4599");
            for (name, value) in headers {
                if name != "x-amz-content-sha256" {
                    builder = builder.header(name, value);
                }
            }
            let (parts, ()) = builder.body(()).ok()?.into_parts();
            Some((parts, body))
        })
}

proptest! {
    #![proptest_config(config(regressions!("hostile_signed")))]

    /// SigV4 verification, whole (canonical request, headers, query,
    /// payload): a request `sign` signed verifies; with another secret or
    /// another body it does not; and any `Authorization` text checked
    /// against any request is answered, never a panic.
    /// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html>
    #[cfg(feature = "serve")]
    #[test]
    fn a_signed_request_verifies_and_no_other_secret_or_body_does(
        (mut parts, body) in any_request(),
        authorization in ".{0,200}",
    ) {
        use keyward::server::sigv4::{sign, AuthorizationHeader};
        const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        if let Ok(given) = AuthorizationHeader::parse(&authorization) {
            let _ = given.verify(&parts, &body, SECRET, "kms", SIGV4_NOW);
        }
        sign(&mut parts, &body, "AKIDEXAMPLE", SECRET, "us-east-1", "kms", SIGV4_NOW);
        let text = parts.headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned);
        prop_assert!(text.is_some(), "visible ASCII headers are signed: {parts:?}");
        let text = text.unwrap_or_default();
        let signed = AuthorizationHeader::parse(&text);
        prop_assert!(signed.is_ok(), "sign's header parses: {text}");
        if let Ok(signed) = signed {
            let verified = signed.verify(&parts, &body, SECRET, "kms", SIGV4_NOW);
            prop_assert!(verified.is_ok(), "{verified:?}\n{parts:?}");
            prop_assert!(signed.verify(&parts, &body, "another secret", "kms", SIGV4_NOW).is_err());
            let mut other = body.clone();
            other.push(b'!');
            prop_assert!(signed.verify(&parts, &other, SECRET, "kms", SIGV4_NOW).is_err());
        }
    }

    /// The AWS Encryption SDK header reader answers any bytes, and never
    /// returns more encrypted data keys than its cap.
    #[test]
    fn any_bytes_read_as_an_esdk_header_or_are_refused(bytes in strategies::bytes(), tail in strategies::json_ish_bytes()) {
        // Version 2, a committing suite (0x0478), then anything.
        let mut shaped = vec![0x02, 0x04, 0x78];
        shaped.extend_from_slice(&bytes);
        shaped.extend_from_slice(&tail);
        for input in [&bytes[..], &shaped[..]] {
            if let Ok(read) = keyward::crypto::esdk::read_header(&mut &input[..], Some(3)) {
                prop_assert!(read.header.keys.len() <= 3);
            }
            let _ = keyward::crypto::esdk::read_header(&mut &input[..], None);
        }
    }
}
