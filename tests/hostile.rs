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
