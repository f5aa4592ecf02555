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
    if text[offset..].starts_with('"') && positives.contains(&Rule::string) {
        if let Some(problem) = string_problem(text, offset) {
            return problem;
        }
    }
    let found = text[offset..].chars().next();
    let span = match found {
        Some(c) => Span::new(offset, offset + c.len_utf8()),
        None => Span::at(offset),
    };
    let label = match found {
        None => "unexpected end of input".to_owned(),
        Some(c) if c.is_control() => format!("unexpected U+{:04X}", c as u32),
        Some(c) => format!("unexpected `{c}`"),
    };
    JsonError::Syntax {
        message: format!("expected {}", expected_list(positives)),
        span: span.into(),
        label,
        help: mistake_help(text, offset, positives),
    }
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
    let before = text[..offset].trim_end();
    let help = if rest.starts_with("//") || rest.starts_with("/*") {
        "JSON has no comments; remove them"
    } else if rest.starts_with('\'') {
        "JSON strings are written in double quotes (`\"`)"
    } else if (rest.starts_with('}') || rest.starts_with(']')) && before.ends_with(',') {
        "JSON does not allow a comma after the last element; remove it"
    } else if positives.contains(&Rule::comma)
        && (rest.starts_with('"') || rest.starts_with('{') || rest.starts_with('['))
    {
        "a `,` is missing between two elements"
    } else if positives.contains(&Rule::string)
        && rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
    {
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
    let mut chars = text[start + 1..]
        .char_indices()
        .map(|(i, c)| (start + 1 + i, c));
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
                            let end =
                                j + 1 + hex.chars().take_while(char::is_ascii_hexdigit).count();
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
