//! Grammar pairs into a [`Value`] tree: strings decoded, numbers kept as text.
//!
//! Recursion here follows the nesting of the document, which `limits::screen`
//! has already bounded.

use pest::iterators::{Pair, Pairs};

use super::syntax::Rule;
use super::{JsonError, Kind, Member, Object, Value};
use crate::source::{Span, Spanned};

pub(super) fn document(mut pairs: Pairs<'_, Rule>) -> Result<Value, JsonError> {
    // The grammar guarantees exactly one value before EOI.
    match pairs.next() {
        Some(pair) => value(pair),
        None => Ok(Value {
            kind: Kind::Null,
            span: Span::at(0),
        }),
    }
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

fn value(pair: Pair<'_, Rule>) -> Result<Value, JsonError> {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::object => Kind::Object(object(pair)?),
        Rule::array => {
            let mut items = Vec::new();
            for item in pair.into_inner() {
                if !is_punctuation(item.as_rule()) {
                    items.push(value(item)?);
                }
            }
            Kind::Array(items)
        }
        Rule::string => Kind::String(string(pair.as_str(), span.start)?),
        Rule::number => Kind::Number(pair.as_str().to_owned()),
        Rule::true_lit => Kind::Bool(true),
        Rule::false_lit => Kind::Bool(false),
        _ => Kind::Null,
    };
    Ok(Value { kind, span })
}

fn object(pair: Pair<'_, Rule>) -> Result<Object, JsonError> {
    let mut members = Vec::new();
    for member in pair.into_inner().filter(|p| p.as_rule() == Rule::member) {
        let mut parts = member.into_inner().filter(|p| !is_punctuation(p.as_rule()));
        let (Some(key), Some(val)) = (parts.next(), parts.next()) else {
            continue; // unreachable: `member = { string ~ colon ~ value }`
        };
        let key_span = span_of(&key);
        let key = Spanned::new(string(key.as_str(), key_span.start)?, key_span);
        members.push(Member {
            key,
            value: value(val)?,
        });
    }
    Ok(Object { members })
}

fn is_punctuation(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::comma | Rule::colon | Rule::rbrace | Rule::rbracket
    )
}

/// Decodes a quoted string token that starts at byte `at` of the document.
fn string(quoted: &str, at: usize) -> Result<String, JsonError> {
    let body = &quoted[1..quoted.len() - 1];
    let base = at + 1;
    if let Some(i) = body.bytes().position(|b| b < 0x20) {
        return Err(JsonError::ControlCharacter {
            code: u32::from(body.as_bytes()[i]),
            span: Span::new(base + i, base + i + 1).into(),
        });
    }
    if !body.contains('\\') {
        return Ok(body.to_owned());
    }
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    let mut offset = base;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let escape_at = offset + i;
        let after = &rest[i + 1..];
        let (decoded, used) = match after.as_bytes().first() {
            Some(b'u') => unicode_escape(after, escape_at)?,
            Some(&b) => (simple_escape(b), 1),
            None => ('\\', 0), // unreachable: the grammar requires a complete escape
        };
        out.push(decoded);
        rest = &after[used..];
        offset = escape_at + 1 + used;
    }
    out.push_str(rest);
    Ok(out)
}

fn simple_escape(b: u8) -> char {
    match b {
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        other => char::from(other), // `"`, `\` and `/` stand for themselves
    }
}

/// Decodes `uXXXX` (and a following `\uXXXX` low surrogate) after a `\` at
/// `escape_at`; returns the character and the bytes used after the `\`.
fn unicode_escape(after: &str, escape_at: usize) -> Result<(char, usize), JsonError> {
    let lone = |len| JsonError::LoneSurrogate {
        span: Span::new(escape_at, escape_at + len).into(),
    };
    let high = hex4(&after[1..5]);
    match high {
        0xD800..=0xDBFF => {
            let next = after.get(5..11).filter(|s| s.starts_with("\\u"));
            let low = next
                .map(|s| hex4(&s[2..6]))
                .filter(|low| (0xDC00..=0xDFFF).contains(low));
            let Some(low) = low else { return Err(lone(6)) };
            let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            Ok((char::from_u32(code).ok_or_else(|| lone(12))?, 11))
        }
        0xDC00..=0xDFFF => Err(lone(6)),
        code => Ok((char::from_u32(code).ok_or_else(|| lone(6))?, 5)),
    }
}

/// Four hex digits the grammar has already checked.
fn hex4(digits: &str) -> u32 {
    u32::from_str_radix(digits, 16).unwrap_or(0xFFFD)
}
