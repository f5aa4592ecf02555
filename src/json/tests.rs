use super::*;

fn err(text: &str) -> JsonError {
    parse(text).expect_err("should fail")
}

fn message_and_label(e: &JsonError) -> (String, String) {
    match e {
        JsonError::Syntax { message, label, .. } => (message.clone(), label.clone()),
        other => (other.to_string(), String::new()),
    }
}

#[test]
fn keeps_member_order_duplicates_and_number_text() {
    let v = parse(r#"{"b": 1.50, "a": -0e3, "b": true}"#).unwrap();
    let obj = v.as_object().unwrap();
    let keys: Vec<&str> = obj.members.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys, ["b", "a", "b"]);
    assert_eq!(obj.members[0].value.kind, Kind::Number("1.50".into()));
    assert_eq!(obj.members[1].value.kind, Kind::Number("-0e3".into()));
    assert_eq!(obj.duplicate_keys().len(), 1);
}

#[test]
fn spans_cover_keys_and_values() {
    let text = r#" { "key" : [1, "x"] } "#;
    let v = parse(text).unwrap();
    assert_eq!(&text[v.span.start..v.span.end], r#"{ "key" : [1, "x"] }"#);
    let m = &v.as_object().unwrap().members[0];
    assert_eq!(&text[m.key.span.start..m.key.span.end], r#""key""#);
    assert_eq!(&text[m.value.span.start..m.value.span.end], r#"[1, "x"]"#);
}

#[test]
fn decodes_escapes_and_surrogate_pairs() {
    let v = parse(r#""a\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00z""#).unwrap();
    assert_eq!(v.as_str(), Some("a\"\\/\u{8}\u{c}\n\r\té😀z"));
}

#[test]
fn lone_surrogates_are_rejected() {
    assert!(matches!(err(r#""\uD83D""#), JsonError::LoneSurrogate { .. }));
    assert!(matches!(err(r#""\uDE00x""#), JsonError::LoneSurrogate { .. }));
    assert!(matches!(err(r#""\uD83D\u0041""#), JsonError::LoneSurrogate { .. }));
}

#[test]
fn syntax_errors_say_what_was_expected() {
    assert_eq!(message_and_label(&err(r#"{"a": 1 "b": 2}"#)).0, "expected `,` or `}`");
    assert_eq!(message_and_label(&err(r#"{"a" 1}"#)).0, "expected `:`");
    assert_eq!(
        message_and_label(&err(r#"[1, 2"#)),
        (
            "unexpected end of input: expected `,` or `]`".into(),
            "the document ends here".into()
        )
    );
    assert_eq!(message_and_label(&err(r#"{"a": }"#)).0, "expected a value");
    assert_eq!(message_and_label(&err(r#"{a: 1}"#)).0, "expected a string key or `}`");
    assert_eq!(
        message_and_label(&err("")).0,
        "unexpected end of input: expected a value"
    );
    assert_eq!(message_and_label(&err("1 2")).0, "expected end of input");
}

#[test]
fn string_problems_are_precise() {
    assert_eq!(message_and_label(&err(r#"{"a": "x\q"}"#)).0, "invalid escape `\\q`");
    assert_eq!(message_and_label(&err(r#"["abc"#)).0, "unterminated string");
    assert_eq!(message_and_label(&err(r#"["\u12"]"#)).0, "invalid `\\u` escape");
    assert!(matches!(err("[\"a\tb\"]"), JsonError::ControlCharacter { code: 9, .. }));
}

#[test]
fn rejects_what_rfc_8259_rejects() {
    for bad in [
        "[1,]",
        "{\"a\":1,}",
        "01",
        "1.",
        ".5",
        "+1",
        "NaN",
        "'a'",
        "[1] // c",
        "tru",
        "\"\\x\"",
    ] {
        assert!(parse(bad).is_err(), "{bad} should fail");
    }
    for good in ["0", "-0.0e-0", "1E+9", "[]", "{}", "null", " \t\r\n[ ] ", "\"\\u0000\""] {
        assert!(parse(good).is_ok(), "{good} should parse");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = "[".repeat(100_000);
    match err(&deep) {
        JsonError::TooDeep { limit, span } => {
            assert_eq!(limit, 64);
            assert_eq!(span.offset(), 64);
        }
        other => panic!("unexpected {other:?}"),
    }
    let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
    assert!(parse(&ok).is_ok());
}

#[test]
fn brackets_inside_strings_do_not_count_as_depth() {
    let text = format!("[\"{}\"]", "[".repeat(1000));
    assert!(parse(&text).is_ok());
}

#[test]
fn size_bom_and_nul_limits() {
    let limits = Limits {
        max_bytes: 10,
        max_depth: 64,
    };
    assert!(matches!(
        parse_with("[1,2,3,4,5,6]", &limits),
        Err(JsonError::TooLarge {
            size: 13,
            limit: 10,
            ..
        })
    ));
    assert!(matches!(err("\u{feff}{}"), JsonError::ByteOrderMark { .. }));
    assert!(matches!(err("{\"a\":\u{0}}"), JsonError::NulByte { offset: 5, .. }));
}

#[test]
fn invalid_utf8_reports_the_byte_offset() {
    assert!(matches!(
        decode(b"{\"a\": \"\xff\"}"),
        Err(JsonError::InvalidUtf8 { offset: 7, .. })
    ));
    assert_eq!(decode(b"{}").unwrap(), "{}");
}

#[test]
fn help_names_common_mistakes() {
    let help = |t: &str| match err(t) {
        JsonError::Syntax { help, .. } => help.unwrap_or_default(),
        _ => String::new(),
    };
    assert!(help("[1, 2,]").contains("comma after the last"));
    assert!(help("{'a': 1}").contains("double quotes"));
    assert!(help("{\"a\": 1 // x\n}").contains("comments"));
    assert!(help("[1 2]").is_empty() || help("[1 2]").contains("missing"));
    assert!(help("[\"a\" \"b\"]").contains("`,` is missing"));
}

#[test]
fn a_string_running_over_a_line_break_is_reported_where_it_starts() {
    let text = "{\"a\": \"oops,\n \"b\": 1}";
    match err(text) {
        JsonError::Syntax { message, span, .. } => {
            assert_eq!(message, "unterminated string");
            assert_eq!(span.offset(), 6);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn truncated_documents_name_the_open_bracket() {
    match err("{\n  \"Statement\": [\n    {\"Effect\": \"Allow\"}\n") {
        JsonError::Syntax { help, label, .. } => {
            assert_eq!(label, "the document ends here");
            assert_eq!(
                help.as_deref(),
                Some("the `[` opened on line 2 is never closed; the file may be cut short")
            );
        }
        other => panic!("{other:?}"),
    }
}
