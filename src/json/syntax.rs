//! The pest grammar, and pest's failures turned into messages in words:
//! "expected `,` or `}`", "unterminated string", "invalid escape `\x`".

use pest::iterators::Pairs;
use pest::Parser as _;

use super::JsonError;
use crate::source::Span;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/json.pest"]
pub(super) struct JsonParser;

pub(super) fn parse(text: &str) -> Result<Pairs<'_, Rule>, JsonError> {
    JsonParser::parse(Rule::document, text).map_err(|e| describe(text, &e))
}

/// Turns a pest error into a [`JsonError::Syntax`] a person can act on.
fn describe(text: &str, error: &pest::error::Error<Rule>) -> JsonError {
    let offset = match error.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((start, _)) => start,
    };
    let positives = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives.as_slice(),
        pest::error::ErrorVariant::CustomError { .. } => &[],
    };
    // A string that runs over a line break was never closed: say so where
    // it starts, not where the parse finally gave up.
    if let Some(start) = runaway_string(&text[..offset]) {
        return unterminated(start);
    }
    if text[offset..].starts_with('"') && positives.contains(&Rule::string) {
        if let Some(problem) = string_problem(text, offset) {
            return problem;
        }
    }
    let expected = expected_list(positives);
    let Some(found) = text[offset..].chars().next() else {
        return end_of_input(text, &expected);
    };
    let before = text[..offset].trim_end();
    if matches!(found, '}' | ']') && before.ends_with(',') {
        let comma = before.len() - 1;
        return JsonError::Syntax {
            message: format!("expected {expected}"),
            span: Span::new(comma, comma + 1).into(),
            label: "a comma after the last element".to_owned(),
            help: Some("JSON does not allow a comma after the last element; remove it".to_owned()),
        };
    }
    let label = if found.is_control() {
        format!("unexpected U+{:04X}", found as u32)
    } else {
        format!("unexpected `{found}`")
    };
    JsonError::Syntax {
        message: format!("expected {expected}"),
        span: Span::new(offset, offset + found.len_utf8()).into(),
        label,
        help: mistake_help(text, offset, positives),
    }
}

/// The document stops before it is complete: point at its last character
/// and name the bracket left open.
fn end_of_input(text: &str, expected: &str) -> JsonError {
    let last = text.trim_end();
    let span = match last.char_indices().next_back() {
        Some((i, c)) => Span::new(i, i + c.len_utf8()),
        None => Span::at(0),
    };
    let help = match unclosed(text) {
        Some((bracket, at)) => {
            let line = 1 + text[..at].matches('\n').count();
            format!("the `{bracket}` opened on line {line} is never closed; the file may be cut short")
        }
        None => "the file may be empty or cut short".to_owned(),
    };
    JsonError::Syntax {
        message: format!("unexpected end of input: expected {expected}"),
        span: span.into(),
        label: if last.is_empty() {
            "the document is empty".to_owned()
        } else {
            "the document ends here".to_owned()
        },
        help: Some(help),
    }
}

/// The innermost `[` or `{` (outside strings) still open at the end.
fn unclosed(text: &str) -> Option<(char, usize)> {
    let mut open = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => open.push((char::from(b), i)),
            b']' | b'}' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

/// Where a string that contains a raw line break starts, if one does.
fn runaway_string(text: &str) -> Option<usize> {
    let (mut start, mut escaped) = (None, false);
    for (i, b) in text.bytes().enumerate() {
        match (start, b) {
            (Some(_), _) if escaped => escaped = false,
            (Some(_), b'\\') => escaped = true,
            (Some(_), b'"') => start = None,
            (Some(s), b'\n') => return Some(s),
            (None, b'"') => start = Some(i),
            _ => {}
        }
    }
    None
}

fn unterminated(start: usize) -> JsonError {
    syntax_error(
        "unterminated string",
        Span::new(start, start + 1),
        "this string is never closed",
        "add the closing `\"`; a string cannot run over a line break (write `\\n` for one)",
    )
}

/// "`,` or `}`", "a value", "a string key or `}`", in a fixed reading order.
fn expected_list(positives: &[Rule]) -> String {
    const VALUE_STARTS: [Rule; 7] = [
        Rule::object,
        Rule::array,
        Rule::string,
        Rule::number,
        Rule::true_lit,
        Rule::false_lit,
        Rule::null_lit,
    ];
    const WORDS: [(Rule, &str); 11] = [
        (Rule::string, "a string key"),
        (Rule::object, "`{`"),
        (Rule::array, "`[`"),
        (Rule::number, "a number"),
        (Rule::true_lit, "`true`"),
        (Rule::false_lit, "`false`"),
        (Rule::null_lit, "`null`"),
        (Rule::colon, "`:`"),
        (Rule::comma, "`,`"),
        (Rule::rbrace, "`}`"),
        (Rule::rbracket, "`]`"),
    ];
    let is_value = VALUE_STARTS.iter().all(|r| positives.contains(r));
    let mut words: Vec<&str> = Vec::new();
    if is_value {
        words.push("a value");
    }
    for (rule, word) in WORDS {
        let covered = is_value && VALUE_STARTS.contains(&rule);
        if positives.contains(&rule) && !covered && !words.contains(&word) {
            words.push(word);
        }
    }
    if positives.contains(&Rule::EOI) {
        words.push("end of input");
    }
    match words.as_slice() {
        [] => "valid JSON".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Help for the mistakes people make most when writing JSON by hand.
fn mistake_help(text: &str, offset: usize, positives: &[Rule]) -> Option<String> {
    let rest = &text[offset..];
    let value_expected = positives.contains(&Rule::true_lit);
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let literal = match word.as_str() {
        "True" | "TRUE" => Some("true"),
        "False" | "FALSE" => Some("false"),
        "None" | "Null" | "NULL" | "nil" => Some("null"),
        _ => None,
    };
    if let (true, Some(literal)) = (value_expected, literal) {
        return Some(format!("JSON literals are lower case: write `{literal}`"));
    }
    let help = if rest.starts_with(['\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}']) {
        "replace typographic quotes (“ ” ‘ ’) with straight double quotes (`\"`)"
    } else if value_expected && rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        "strings need double quotes"
    } else if rest.starts_with("//") || rest.starts_with("/*") {
        "JSON has no comments; remove them"
    } else if rest.starts_with('\'') {
        "JSON strings are written in double quotes (`\"`)"
    } else if positives.contains(&Rule::comma)
        && (rest.starts_with('"') || rest.starts_with('{') || rest.starts_with('['))
    {
        "a `,` is missing between two elements"
    } else if positives.contains(&Rule::string) && rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        "object keys are strings and need double quotes"
    } else if positives.contains(&Rule::EOI) {
        "a document holds exactly one value; remove what follows it"
    } else {
        return None;
    };
    Some(help.to_owned())
}

/// Finds why the string starting at `start` (a `"`) does not parse.
fn string_problem(text: &str, start: usize) -> Option<JsonError> {
    let mut chars = text[start + 1..].char_indices().map(|(i, c)| (start + 1 + i, c));
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return None,
            '\\' => {
                let Some((j, e)) = chars.next() else { break };
                match e {
                    '"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' => {}
                    'u' => {
                        let hex: String = text[j + 1..].chars().take(4).collect();
                        if hex.len() < 4 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                            let end = j + 1 + hex.chars().take_while(char::is_ascii_hexdigit).count();
                            return Some(syntax_error(
                                "invalid `\\u` escape",
                                Span::new(i, end),
                                "needs four hex digits",
                                "write a code unit as `\\u` and four hex digits, such as `\\u00e9`",
                            ));
                        }
                    }
                    other => {
                        return Some(syntax_error(
                            &format!("invalid escape `\\{other}`"),
                            Span::new(i, j + other.len_utf8()),
                            "not a JSON escape",
                            "JSON escapes are `\\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t` and `\\uXXXX`",
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    Some(syntax_error(
        "unterminated string",
        Span::new(start, start + 1),
        "this string is never closed",
        "add the closing `\"`",
    ))
}

fn syntax_error(message: &str, span: Span, label: &str, help: &str) -> JsonError {
    JsonError::Syntax {
        message: message.to_owned(),
        span: span.into(),
        label: label.to_owned(),
        help: Some(help.to_owned()),
    }
}
