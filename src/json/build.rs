//! Grammar tokens into a [`Value`] tree: strings decoded, numbers kept as text.
//!
//! The builder walks pest's flat token stream (the `Start` and `End` of every
//! rule, in document order) with an explicit stack of open containers, rather
//! than recursing through `Pair::into_inner`, which clones two `Rc`s for every
//! `Pair` and recounts the children of every container. The stack is as deep
//! as the document nests, which `limits::screen` has already bounded.

use pest::iterators::Pairs;
use pest::Token;

use super::syntax::Rule;
use super::{JsonError, Kind, Member, Object, Value};
use crate::source::{Span, Spanned};

/// An array or object whose closing token has not been seen yet.
enum Open {
    Array {
        start: usize,
        items: Vec<Value>,
    },
    Object {
        start: usize,
        members: Vec<Member>,
        /// The key of the member being read, until its value arrives.
        key: Option<Spanned<String>>,
    },
}

pub(super) fn document(pairs: Pairs<'_, Rule>) -> Result<Value, JsonError> {
    let input = pairs.get_input();
    let mut tokens = pairs.tokens();
    let mut open: Vec<Open> = Vec::new();
    while let Some(token) = tokens.next() {
        let value = match token {
            Token::Start { rule, pos } => {
                let start = pos.pos();
                match rule {
                    Rule::object => open.push(Open::Object {
                        start,
                        members: Vec::new(),
                        key: None,
                    }),
                    Rule::array => open.push(Open::Array {
                        start,
                        items: Vec::new(),
                    }),
                    Rule::string | Rule::number | Rule::true_lit | Rule::false_lit | Rule::null_lit => {
                        // A leaf: its `End` comes next.
                        let end = match tokens.next() {
                            Some(Token::End { pos, .. }) => pos.pos(),
                            _ => start, // unreachable: leaves have no inner tokens
                        };
                        if let Some(done) = deliver(&mut open, leaf(input, rule, start, end)?) {
                            return Ok(done);
                        }
                    }
                    // Punctuation carries nothing the tree keeps.
                    _ => {}
                }
                continue;
            }
            Token::End {
                rule: Rule::object | Rule::array,
                pos,
            } => match open.pop() {
                Some(Open::Array { start, items }) => Value {
                    kind: Kind::Array(items),
                    span: Span::new(start, pos.pos()),
                },
                Some(Open::Object { start, members, .. }) => Value {
                    kind: Kind::Object(Object { members }),
                    span: Span::new(start, pos.pos()),
                },
                None => continue, // unreachable: every `End` closes a `Start`
            },
            Token::End { .. } => continue,
        };
        if let Some(done) = deliver(&mut open, value) {
            return Ok(done);
        }
    }
    // The grammar guarantees exactly one value before EOI.
    Ok(Value {
        kind: Kind::Null,
        span: Span::at(0),
    })
}

/// The value of a string, number or literal token at `start..end`.
fn leaf(input: &str, rule: Rule, start: usize, end: usize) -> Result<Value, JsonError> {
    let text = &input[start..end];
    let kind = match rule {
        Rule::string => Kind::String(string(text, start)?),
        Rule::number => Kind::Number(text.to_owned()),
        Rule::true_lit => Kind::Bool(true),
        Rule::false_lit => Kind::Bool(false),
        _ => Kind::Null,
    };
    Ok(Value {
        kind,
        span: Span::new(start, end),
    })
}

/// Hands a finished value to the innermost open container; returns it when
/// it is the whole document.
fn deliver(open: &mut [Open], value: Value) -> Option<Value> {
    match open.last_mut() {
        None => Some(value),
        Some(Open::Array { items, .. }) => {
            items.push(value);
            None
        }
        Some(Open::Object { members, key, .. }) => {
            match key.take() {
                Some(key) => members.push(Member { key, value }),
                None => {
                    // Inside an object the grammar alternates key `string`
                    // and value, so a value with no key waiting is a key.
                    if let Kind::String(name) = value.kind {
                        *key = Some(Spanned::new(name, value.span));
                    }
                }
            }
            None
        }
    }
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
