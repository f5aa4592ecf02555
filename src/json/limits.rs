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
    /// 4 MiB and 64 levels: a KMS key policy is at most 32 KiB and nests five
    /// levels deep; a list of grants or a `ListGrants` response fits easily.
    fn default() -> Self {
        Limits {
            max_bytes: 4 << 20,
            max_depth: 64,
        }
    }
}

pub(super) fn screen(text: &str, limits: &Limits) -> Result<(), JsonError> {
    if text.len() > limits.max_bytes {
        return Err(JsonError::TooLarge {
            size: text.len(),
            limit: limits.max_bytes,
            span: Span::at(limits.max_bytes).into(),
        });
    }
    if text.starts_with('\u{feff}') {
        return Err(JsonError::ByteOrderMark {
            span: Span::new(0, 3).into(),
        });
    }
    let bytes = text.as_bytes();
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(JsonError::NulByte {
            offset,
            span: Span::new(offset, offset + 1).into(),
        });
    }
    check_depth(bytes, limits.max_depth)
}

/// Finds the first `[` or `{` (outside strings) nested deeper than `max`.
fn check_depth(bytes: &[u8], max: usize) -> Result<(), JsonError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Err(JsonError::TooDeep {
                        limit: max,
                        span: Span::new(i, i + 1).into(),
                    });
                }
            }
            // Unbalanced closers are the grammar's to report.
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}
