//! Limits checked before the grammar runs: size, byte order mark, NUL bytes
//! and nesting depth. Checking depth here, in one flat loop, is what lets the
//! recursive grammar and tree builder run without any risk to the stack.

use super::JsonError;
use crate::source::Span;

/// Bounds on what `json::parse` accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest document, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of arrays and objects.
    pub max_depth: usize,
}

impl Default for Limits {
    /// The policy input limit (4 MiB unless raised, see
    /// [`source::read`](crate::source::read)) and 64 levels: a KMS key policy
    /// is at most 32 KiB and nests five levels deep; a list of grants or a
    /// `ListGrants` response fits easily.
    fn default() -> Self {
        let policy = crate::source::read::Kind::Policy.limit();
        Limits {
            max_bytes: usize::try_from(policy).unwrap_or(usize::MAX),
            max_depth: 64,
        }
    }
}

pub(super) fn screen(text: &str, limits: &Limits) -> Result<(), JsonError> {
    if text.len() > limits.max_bytes {
        return Err(JsonError::TooLarge {
            size: text.len(),
            limit: limits.max_bytes,
            // At the limit, moved back to the start of the character it splits.
            span: Span::at(
                (0..=limits.max_bytes)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0),
            )
            .into(),
        });
    }
    if text.starts_with('\u{feff}') {
        return Err(JsonError::ByteOrderMark {
            span: Span::new(0, 3).into(),
        });
    }
    let bytes = text.as_bytes();
    // `contains` on bytes is a `memchr`; the position is only wanted on failure.
    if bytes.contains(&0) {
        let offset = bytes.iter().position(|&b| b == 0).unwrap_or(0);
        return Err(JsonError::NulByte {
            offset,
            span: Span::new(offset, offset + 1).into(),
        });
    }
    check_depth(bytes, limits.max_depth)
}

/// Finds the first `[` or `{` (outside strings) nested deeper than `max`.
///
/// Strings are passed over in one step to their closing quote (or past the
/// next escaped character), so the loop looks at every byte outside strings
/// once and at the few `"` and `\` bytes inside them.
fn check_depth(bytes: &[u8], max: usize) -> Result<(), JsonError> {
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => i = string_end(bytes, i + 1),
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Err(JsonError::TooDeep {
                        limit: max,
                        span: Span::new(i, i + 1).into(),
                    });
                }
                i += 1;
            }
            // Unbalanced closers are the grammar's to report.
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// The index just past the `"` closing a string whose body starts at
/// `from`, or the end of the input for an unterminated string.
fn string_end(bytes: &[u8], mut from: usize) -> usize {
    loop {
        // Eight bytes at a time while none of them is a `"` or a `\`.
        while let Some(chunk) = bytes.get(from..from + 8) {
            let word = u64::from_le_bytes([
                chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
            ]);
            if (has_byte(word, b'"') | has_byte(word, b'\\')) != 0 {
                break;
            }
            from += 8;
        }
        let rest = bytes.get(from..).unwrap_or_default();
        match rest.iter().position(|&b| b == b'"' || b == b'\\') {
            None => return bytes.len(),
            Some(n) if rest[n] == b'"' => return from + n + 1,
            // A backslash: the next byte is escaped, whatever it is.
            Some(n) => from += n + 2,
        }
    }
}

/// Non-zero when some byte of `word` equals `byte` (the classic SWAR test:
/// a zero byte of `word ^ byte…` borrows when one is subtracted).
const fn has_byte(word: u64, byte: u8) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let x = word ^ (ONES * byte as u64);
    x.wrapping_sub(ONES) & !x & HIGHS
}
