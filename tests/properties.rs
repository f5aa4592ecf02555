//! Properties of the JSON reader, the document reader and the canonical
//! printer, checked on generated input (strategies in `strategies.rs`).
//!
//! A failing case is saved under `tests/proptest-regressions/<test>.txt` and
//! replayed first on every later run; commit those files with the fix.

use keyward::json::{self, Kind};
use keyward::policy::fmt::to_canonical_json;
use keyward::policy::{Document, DocumentKind, PolicyErrors};
use keyward::source::Source;
use miette::Diagnostic;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

use crate::proptest_config::config;
use crate::strategies::{self, Expected};

/// Every way a caller can ask for a document: detected, or each kind named.
const KINDS: [Option<DocumentKind>; 5] = [
    None,
    Some(DocumentKind::Policy),
    Some(DocumentKind::KeyPolicy),
    Some(DocumentKind::IdentityPolicy),
    Some(DocumentKind::Grants),
];

fn parse(text: &str, kind: Option<DocumentKind>) -> Result<Document, PolicyErrors> {
    Document::parse(&Source::new("generated.json", text), kind)
}

/// Parses a text that must be accepted.
fn accepted(text: &str) -> Result<Document, TestCaseError> {
    parse(text, None)
        .map_err(|e| TestCaseError::fail(format!("a valid document was refused:\n{text}\n{:#?}", e.errors)))
}

/// Printing a model and reading the text back gives an equal model, and
/// printing that gives the same text.
fn prints_faithfully(document: &Document) -> Result<String, TestCaseError> {
    let printed = to_canonical_json(document);
    let reparsed = accepted(&printed)?;
    prop_assert_eq!(&reparsed, document, "printed text:\n{}", printed);
    prop_assert_eq!(
        to_canonical_json(&reparsed),
        printed.clone(),
        "printing is not idempotent"
    );
    Ok(printed)
}

/// Every label of every error lies within the text, on character boundaries.
fn spans_within(errors: &PolicyErrors, text: &str) -> Result<(), TestCaseError> {
    for located in errors.located() {
        let primary = located.error.primary_span();
        prop_assert!(primary.is_some(), "no span: {:?}", located.error);
        for label in located.labels().into_iter().flatten() {
            let (start, end) = (label.offset(), label.offset() + label.len());
            prop_assert!(
                end <= text.len(),
                "span {}..{} outside a text of {} bytes: {:?}\ntext: {:?}",
                start,
                end,
                text.len(),
                located.error,
                text
            );
            prop_assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "span {}..{} splits a character: {:?}\ntext: {:?}",
                start,
                end,
                located.error,
                text
            );
        }
    }
    Ok(())
}

/// Nesting depth of a JSON tree (a scalar is 0).
fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(members) => 1 + members.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// keyward's JSON reader accepts exactly what serde_json accepts, but for
/// the two differences keyward chooses: it refuses nesting deeper than its
/// limit (64; serde_json's is 128), and keeps number texts that serde_json
/// refuses as out of range for an f64 (`1e400`).
fn accepts_like_serde_json(text: &str) -> Result<(), TestCaseError> {
    let ours = json::parse(text);
    let theirs = serde_json::from_str::<Value>(text);
    match (&ours, &theirs) {
        (Ok(_), Ok(_)) => {}
        (Ok(_), Err(e)) => prop_assert!(
            e.to_string().contains("number out of range"),
            "keyward accepts what serde_json refuses ({}): {:?}",
            e,
            text
        ),
        (Err(e), Ok(value)) => prop_assert!(
            depth(value) > json::Limits::default().max_depth,
            "keyward refuses what serde_json accepts ({:?}): {:?}",
            e,
            text
        ),
        (Err(_), Err(_)) => {}
    }
    Ok(())
}

/// Reading `text`, as each kind of document, never panics; every error
/// points into the text; a document that is accepted prints faithfully.
fn reads_soundly(text: &str) -> Result<(), TestCaseError> {
    for kind in KINDS {
        match parse(text, kind) {
            Ok(document) => {
                prints_faithfully(&document)?;
            }
            Err(errors) => spans_within(&errors, text)?,
        }
    }
    Ok(())
}

/// Bytes through the whole front end: UTF-8 check, JSON, document.
fn bytes_read_soundly(bytes: &[u8]) -> Result<(), TestCaseError> {
    match json::decode(bytes) {
        Ok(text) => {
            reads_soundly(text)?;
            accepts_like_serde_json(text)?;
        }
        Err(e) => {
            let span = e.labels().and_then(|mut l| l.next());
            prop_assert!(span.is_some_and(|s| s.offset() + s.len() <= bytes.len()));
            // Still read what a lenient caller would pass on.
            let text = String::from_utf8_lossy(bytes);
            reads_soundly(&text)?;
            accepts_like_serde_json(&text)?;
        }
    }
    Ok(())
}

/// The generated value as the canonical printer writes it: statements always
/// in a list. (Member order is not compared: serde_json's maps ignore it.)
fn as_printed(mut value: Value) -> Value {
    if let Some(statement) = value.get_mut("Statement") {
        if statement.is_object() {
            *statement = Value::Array(vec![statement.take()]);
        }
    }
    value
}

fn expected_kind(document: &Document) -> Expected {
    match document {
        Document::Policy(_) => Expected::Policy,
        Document::Grants(_) => Expected::Grants,
    }
}

proptest! {
    #![proptest_config(config(regressions!("printing_then_parsing")))]

    /// A valid document reads as the expected kind; printing it and reading
    /// the text back gives an equal model (spans aside), printing is
    /// idempotent, and the printed text holds the generated JSON. Formatting
    /// never matters: compact, pretty and respelt texts read as equal models.
    #[test]
    fn printing_then_parsing_gives_an_equal_model(
        (value, kind) in strategies::document(),
        seed in any::<u64>(),
    ) {
        let pretty = serde_json::to_string_pretty(&value).expect("serialisable");
        let document = accepted(&pretty)?;
        prop_assert_eq!(expected_kind(&document), kind, "read as the wrong kind:\n{}", pretty);

        let printed = prints_faithfully(&document)?;
        // The printed text says what the generated document says.
        let printed_value: Value = serde_json::from_str(&printed).expect("printed JSON");
        prop_assert_eq!(printed_value, as_printed(value.clone()), "printed:\n{}", printed);

        // Formatting never matters: compact text, and text with other
        // whitespace and other string escapes, read as the same model.
        let compact = serde_json::to_string(&value).expect("serialisable");
        prop_assert_eq!(&accepted(&compact)?, &document, "compact:\n{}", compact);
        let spelled = strategies::render(&value, seed);
        prop_assert_eq!(&accepted(&spelled)?, &document, "respelt:\n{}", spelled);
    }
}

proptest! {
    #![proptest_config(config(regressions!("arbitrary_bytes")))]

    /// Any bytes, and bytes made mostly of JSON punctuation and tokens, go
    /// through `json::decode` and `Document::parse` (as every kind) without
    /// a panic, and are accepted as JSON exactly when serde_json accepts them.
    #[test]
    fn arbitrary_bytes_never_panic_the_parser(
        bytes in strategies::bytes(),
        json_ish in strategies::json_ish_bytes(),
    ) {
        bytes_read_soundly(&bytes)?;
        bytes_read_soundly(&json_ish)?;
    }
}

/// How numbers are compared by [`same_tree`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Numbers {
    /// The text keyward kept is exactly serde_json's rendering of the number
    /// (used against the generated tree, whose numbers were written that way).
    Exact,
    /// Integers by text; other numbers by value, within 4 units in the last
    /// place: without its `float_roundtrip` feature serde_json parses floats
    /// on a best-effort basis, and is seen up to 2 units off (it reads
    /// `-1.2435017961759261e-300` as `-1.2435017961759258e-300`).
    AsSerdeJsonReads,
}

/// Compares keyward's tree with a serde_json tree: same kinds, strings,
/// booleans, array items in order, and object members — same keys in the
/// same order (both trees come from one text written in the serde_json
/// map's own order, and keys are unique, so serde_json's map keeps that
/// order whether or not it preserves insertion order) and same values.
fn same_tree(ours: &json::Value, theirs: &Value, numbers: Numbers, path: &str) -> Result<(), TestCaseError> {
    match (&ours.kind, theirs) {
        (Kind::Null, Value::Null) => {}
        (Kind::Bool(a), Value::Bool(b)) => prop_assert_eq!(a, b, "at {}", path),
        (Kind::String(a), Value::String(b)) => prop_assert_eq!(a, b, "at {}", path),
        (Kind::Number(text), Value::Number(n)) => {
            if numbers == Numbers::Exact || n.is_i64() || n.is_u64() {
                prop_assert_eq!(text, &n.to_string(), "at {}", path);
            } else {
                let a: f64 = text.parse().expect("a JSON number is an f64 text");
                let b = n.as_f64().expect("a float");
                let ulps = (a.to_bits() as i64).abs_diff(b.to_bits() as i64);
                prop_assert!(a == b || ulps <= 4, "at {}: {} read as {} by serde_json", path, text, b);
            }
        }
        (Kind::Array(a), Value::Array(b)) => {
            prop_assert_eq!(a.len(), b.len(), "array length at {}", path);
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                same_tree(x, y, numbers, &format!("{path}[{i}]"))?;
            }
        }
        (Kind::Object(a), Value::Object(b)) => {
            let ours: Vec<&str> = a.members.iter().map(|m| m.key.as_str()).collect();
            let theirs: Vec<&str> = b.keys().map(String::as_str).collect();
            prop_assert_eq!(ours, theirs, "member keys at {}", path);
            for (member, (_, y)) in a.members.iter().zip(b) {
                same_tree(&member.value, y, numbers, &format!("{path}.{:?}", member.key.node))?;
            }
        }
        (a, b) => prop_assert!(false, "at {}: keyward read {:?}, serde_json {:?}", path, a, b),
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(regressions!("arbitrary_json")))]

    /// Any JSON tree, written compact, pretty and with varied whitespace and
    /// escapes, reads as the same tree serde_json reads from that text (and as
    /// the tree it was written from), and reads as a document without panic.
    #[test]
    fn arbitrary_json_never_panics_and_agrees_with_serde_json(
        (value, spelled) in strategies::spelled(strategies::json_value())
    ) {
        let texts = [
            serde_json::to_string(&value).expect("serialisable"),
            serde_json::to_string_pretty(&value).expect("serialisable"),
            spelled,
        ];
        for text in &texts {
            let ours = json::parse(text).map_err(|e| {
                TestCaseError::fail(format!("keyward refused valid JSON ({e:?}): {text:?}"))
            })?;
            let theirs: Value = serde_json::from_str(text).expect("serde_json reads its own JSON");
            same_tree(&ours, &theirs, Numbers::AsSerdeJsonReads, "$")?;
            same_tree(&ours, &value, Numbers::Exact, "$")?;
            reads_soundly(text)?;
        }
    }
}

proptest! {
    #![proptest_config(config(regressions!("mutated_documents")))]

    /// A valid document edited in its tree (members removed or renamed,
    /// values replaced or wrapped) and then in its bytes (ranges deleted or
    /// duplicated, punctuation and stray bytes inserted) reads without panic;
    /// every error points into the text; what is still accepted prints
    /// faithfully.
    #[test]
    fn mutated_valid_documents_never_panic(
        (mut value, _) in strategies::document(),
        tree_edits in strategies::tree_edits(),
        compact in any::<bool>(),
        edits in strategies::edits(),
    ) {
        strategies::apply_to_tree(&mut value, &tree_edits);
        let text = if compact {
            serde_json::to_string(&value)
        } else {
            serde_json::to_string_pretty(&value)
        }
        .expect("serialisable");
        let mut bytes = text.into_bytes();
        strategies::apply(&mut bytes, &edits);
        bytes_read_soundly(&bytes)?;
    }
}

proptest! {
    #![proptest_config(config(regressions!("limits")))]

    /// A text is refused exactly when it is larger or nests deeper than the
    /// limits, with the error pointing into the text; otherwise it reads as
    /// without limits.
    #[test]
    fn limits_refuse_exactly_what_exceeds_them(
        (value, text) in strategies::spelled(strategies::json_value()),
        size in any::<Index>(),
        depth_limit in 0..8usize,
    ) {
        let limits = json::Limits {
            max_bytes: size.index(text.len() + 2),
            max_depth: depth_limit,
        };
        match json::parse_with(&text, &limits) {
            Err(json::JsonError::TooLarge { span, .. }) => {
                prop_assert!(text.len() > limits.max_bytes);
                prop_assert!(span.offset() + span.len() <= text.len());
            }
            Err(json::JsonError::TooDeep { span, .. }) => {
                prop_assert!(text.len() <= limits.max_bytes);
                prop_assert!(depth(&value) > limits.max_depth);
                let opens = matches!(text.as_bytes().get(span.offset()), Some(b'[' | b'{'));
                prop_assert!(opens, "TooDeep points at {:?}", text.get(span.offset()..));
                prop_assert_eq!(span.len(), 1);
            }
            Err(e) => prop_assert!(false, "unexpected error {:?}", e),
            Ok(ours) => {
                prop_assert!(text.len() <= limits.max_bytes);
                prop_assert!(depth(&value) <= limits.max_depth);
                same_tree(&ours, &value, Numbers::Exact, "$")?;
            }
        }
    }
}

proptest! {
    #![proptest_config(config(regressions!("too_large_span")))]

    /// Minimal case: the text `"é"` (4 bytes) under `max_bytes: 2` is refused
    /// with a `TooLarge` span at offset 2, inside the 2-byte `é`
    /// (`limits::screen` puts the span at `max_bytes` without rounding down
    /// to a character boundary).
    #[test]
        fn too_large_error_span_lies_on_a_character_boundary(
        text in strategies::text(8).prop_map(|s| Value::String(s).to_string()),
        size in any::<Index>(),
    ) {
        let limits = json::Limits { max_bytes: size.index(text.len() + 1), max_depth: 64 };
        if let Err(e) = json::parse_with(&text, &limits) {
            let span = e.labels().and_then(|mut l| l.next()).expect("a span");
            prop_assert!(
                text.is_char_boundary(span.offset()),
                "{:?} splits a character of {:?}",
                e,
                text
            );
        }
    }
}
