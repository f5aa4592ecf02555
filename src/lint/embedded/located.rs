//! A policy kept as a string (Terraform's `policy`, a CloudFormation
//! `PolicyDocument` written as JSON text, a YAML block scalar, a `Fn::Sub`
//! template): its decoded text with, for each byte, the span of the source
//! text it was decoded from, so a finding on a token of the embedded policy
//! points at that token in the template, through JSON string escapes and
//! YAML's scalar styles (quoted, plain, literal `|`, folded `>`).

use crate::source::Span;

/// Decoded text and the source span of each of its bytes.
pub struct Located {
    pub text: String,
    origins: Vec<Span>,
}

impl Located {
    /// Where a span of the decoded text came from, or `None` for an empty
    /// span or one outside the text.
    pub fn origin(&self, span: Span) -> Option<Span> {
        if span.is_empty() {
            return None;
        }
        let first = self.origins.get(span.start)?;
        let last = self.origins.get(span.end - 1)?;
        Some(Span::new(first.start, last.end.max(first.start)))
    }

    /// Text whose place is not known (every byte at offset 0).
    pub fn unplaced(text: &str) -> Located {
        Located {
            text: text.to_owned(),
            origins: vec![Span::at(0); text.len()],
        }
    }

    /// No text yet, for [`Located::append`].
    pub fn empty() -> Located {
        Located {
            text: String::new(),
            origins: Vec::new(),
        }
    }

    /// `text` whose every byte comes from `span` (a value a template
    /// function computes, placed at the function).
    pub fn spanning(text: &str, span: Span) -> Located {
        Located {
            text: text.to_owned(),
            origins: vec![span; text.len()],
        }
    }

    /// `other` written after this text.
    pub fn append(&mut self, other: &Located) {
        self.text.push_str(&other.text);
        self.origins.extend_from_slice(&other.origins);
    }

    fn push(&mut self, c: char, origin: Span) {
        self.text.push(c);
        self.origins.extend(std::iter::repeat_n(origin, c.len_utf8()));
    }

    fn push_str(&mut self, s: &str, origin: Span) {
        for c in s.chars() {
            self.push(c, origin);
        }
    }
}

/// Finds each character of `value` (a scalar as its parser decoded it) in
/// `source` from `span.start` on, in order: a character written as itself,
/// as a backslash escape (in a double-quoted scalar, the JSON string's or
/// YAML's), or after text the decoding dropped (quotes, indentation, line
/// breaks folded away, a block scalar's header). `None` when a character
/// is nowhere after the previous one: then the caller keeps the whole span.
/// Linear in the source: the position only moves forward.
pub fn locate(source: &str, span: Span, value: &str) -> Option<Located> {
    let raw = source.get(span.start..)?;
    let quoted = raw.starts_with('"');
    let mut out = Located {
        text: String::with_capacity(value.len()),
        origins: Vec::with_capacity(value.len()),
    };
    let mut at = 0;
    for c in value.chars() {
        let (start, len) = find(raw, at, c, quoted)?;
        out.push(c, Span::new(span.start + start, span.start + start + len));
        at = start + len;
    }
    Some(out)
}

/// Where `c` is written at or after `at`: `(offset, length)`.
fn find(raw: &str, at: usize, c: char, quoted: bool) -> Option<(usize, usize)> {
    let mut i = at;
    while let Some(here) = raw.get(i..).and_then(|r| r.chars().next()) {
        if quoted && here == '\\' {
            if let Some((decoded, len)) = escape(&raw[i..]) {
                if decoded == c {
                    return Some((i, len));
                }
                // A folding escape (`\` then a line break) decodes to
                // nothing; any other is a character that is not `c`.
                i += if decoded == '\0' && len > 1 && raw[i + 1..].starts_with(['\n', '\r']) {
                    len
                } else {
                    len.max(1)
                };
                continue;
            }
        }
        if here == c {
            return Some((i, here.len_utf8()));
        }
        // A folded line break becomes a space or a line feed: take the
        // break itself.
        if (c == ' ' || c == '\n') && (here == '\n' || here == '\r') {
            return Some((i, 1));
        }
        i += here.len_utf8();
    }
    None
}

/// The character a backslash escape stands for and its length; a `\` line
/// break is `('\0', 2)`.
fn escape(raw: &str) -> Option<(char, usize)> {
    let mut chars = raw.chars();
    chars.next()?;
    let kind = chars.next()?;
    let simple = match kind {
        '"' => '"',
        '\\' => '\\',
        '/' => '/',
        'b' => '\u{8}',
        'f' => '\u{c}',
        'n' => '\n',
        'r' => '\r',
        't' | '\t' => '\t',
        '0' => '\0',
        'a' => '\u{7}',
        'e' => '\u{1b}',
        ' ' => ' ',
        'N' => '\u{85}',
        '_' => '\u{a0}',
        'L' => '\u{2028}',
        'P' => '\u{2029}',
        'v' => '\u{b}',
        '\n' | '\r' => return Some(('\0', 2)),
        'x' => return hex(raw, 2),
        'u' => return unicode(raw),
        'U' => return hex(raw, 8),
        _ => return None,
    };
    Some((simple, 1 + kind.len_utf8()))
}

/// `\xXX` or `\UXXXXXXXX`.
fn hex(raw: &str, digits: usize) -> Option<(char, usize)> {
    let code = u32::from_str_radix(raw.get(2..2 + digits)?, 16).ok()?;
    Some((char::from_u32(code)?, 2 + digits))
}

/// `\uXXXX`, or a surrogate pair `\uD83D\uDE00` as one character.
fn unicode(raw: &str) -> Option<(char, usize)> {
    let high = u32::from_str_radix(raw.get(2..6)?, 16).ok()?;
    if (0xD800..0xDC00).contains(&high) {
        let rest = raw.get(6..12)?;
        let low = u32::from_str_radix(rest.strip_prefix("\\u")?, 16).ok()?;
        let code = 0x10000 + ((high - 0xD800) << 10) + (low.checked_sub(0xDC00)?);
        return Some((char::from_u32(code)?, 12));
    }
    Some((char::from_u32(high)?, 6))
}

/// A `Fn::Sub` template located in the source, with each `${Name}` replaced
/// by what `reference` gives for it: the value's bytes point at the whole
/// `${Name}`; `${!Literal}` stays `${Literal}`.
pub fn substitute(template: &Located, reference: &dyn Fn(&str) -> String) -> Located {
    let text = &template.text;
    let mut out = Located {
        text: String::with_capacity(text.len()),
        origins: Vec::with_capacity(text.len()),
    };
    let copy = |out: &mut Located, from: usize, to: usize| {
        out.text.push_str(&text[from..to]);
        out.origins.extend_from_slice(&template.origins[from..to]);
    };
    let mut rest = 0;
    while let Some(open) = text[rest..].find("${").map(|i| rest + i) {
        let Some(close) = text[open + 2..].find('}').map(|i| open + 2 + i) else {
            break;
        };
        copy(&mut out, rest, open);
        let name = &text[open + 2..close];
        match name.strip_prefix('!') {
            Some(_) => {
                copy(&mut out, open, open + 2);
                copy(&mut out, open + 3, close + 1);
            }
            None => {
                let whole = template.origin(Span::new(open, close + 1)).unwrap_or(Span::at(0));
                out.push_str(&reference(name), whole);
            }
        }
        rest = close + 1;
    }
    copy(&mut out, rest, text.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin_text<'s>(source: &'s str, located: &Located, token: &str) -> &'s str {
        let start = located.text.find(token).expect("token");
        let span = located.origin(Span::new(start, start + token.len())).expect("span");
        &source[span.start..span.end]
    }

    #[test]
    fn json_escapes_map_to_their_written_form() {
        let source = r#"{"policy": "{\"Action\": \"kms:Decrpyt\", \"R\": \"a\\\\b\u00e9\"}"}"#;
        let start = source.find(": \"").expect("value") + 2;
        let value: serde_json::Value = serde_json::from_str(source).expect("json");
        let value = value["policy"].as_str().expect("string");
        let located = locate(source, Span::at(start), value).expect("located");
        assert_eq!(located.text, value);
        assert_eq!(origin_text(source, &located, "\"kms:Decrpyt\""), r#"\"kms:Decrpyt\""#);
        assert_eq!(origin_text(source, &located, "\\bé"), r"\\b\u00e9");
    }

    #[test]
    fn yaml_block_scalars_map_past_their_header_and_indentation() {
        let source = "Doc: |\n  {\n    \"Action\": \"kms:Decrpyt\"\n  }\n";
        let value = "{\n  \"Action\": \"kms:Decrpyt\"\n}\n";
        let located = locate(source, Span::at(5), value).expect("located");
        assert_eq!(origin_text(source, &located, "\"kms:Decrpyt\""), "\"kms:Decrpyt\"");
        assert_eq!(origin_text(source, &located, "}"), "}");
    }

    #[test]
    fn odd_escapes_and_multibyte_text_never_panic() {
        let sources = [
            "\"\\u",
            "\"\\uD83D\\u",
            "\"\\x\u{e9}",
            "\"\\\u{e9}\u{1F600}\\",
            "é\\\n  ü",
        ];
        for source in sources {
            for value in ["", "é", "\u{1F600}", "\\", "\n", " ", "ü"] {
                if let Some(located) = locate(source, Span::at(0), value) {
                    assert_eq!(located.text, value);
                    let _ = located.origin(Span::new(0, value.len()));
                    let _ = located.origin(Span::new(value.len(), value.len() + 5));
                }
            }
        }
        // A surrogate pair is one character.
        let located = locate("\"\\uD83D\\uDE00\"", Span::at(0), "\u{1F600}").expect("pair");
        assert_eq!(located.origin(Span::new(0, 4)), Some(Span::new(1, 13)));
    }

    #[test]
    fn a_character_not_in_the_source_gives_none() {
        assert!(locate("\"abc\"", Span::at(0), "abd").is_none());
    }

    #[test]
    fn substitutions_point_at_their_placeholder() {
        let source = "!Sub 'arn:${AWS::Partition}:s3:::${Bucket}/*${!x}'";
        let value = "arn:${AWS::Partition}:s3:::${Bucket}/*${!x}";
        let located = locate(source, Span::at(5), value).expect("located");
        let out = substitute(&located, &|name| name.to_ascii_lowercase());
        assert_eq!(out.text, "arn:aws::partition:s3:::bucket/*${x}");
        assert_eq!(origin_text(source, &out, "bucket"), "${Bucket}");
        assert_eq!(origin_text(source, &out, ":s3:::"), ":s3:::");
        assert_eq!(origin_text(source, &out, "${x}"), "${!x}");
    }
}
