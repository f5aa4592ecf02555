//! Where the lines of a text are: built once per [`Source`](super::Source)
//! in one pass, so finding the line and column of any offset costs a binary
//! search and a short count, however many problems a document has and
//! however long its lines are.

/// Lines longer than this many bytes are "wide": diagnostics show an
/// excerpt of them around the span instead of the whole line.
pub const WIDE: usize = 512;

/// Bytes between character-count checkpoints.
const STEP: usize = 256;

/// The line starts of a text, its wide lines, and character counts at
/// regular byte offsets.
#[derive(Debug)]
pub(super) struct Lines {
    /// Byte offset of each line's first byte; `starts[0] == 0`.
    starts: Vec<usize>,
    /// Indexes of the lines longer than [`WIDE`] bytes, ascending.
    wide: Vec<usize>,
    /// `chars[i]`: characters in the first `i * STEP` bytes.
    chars: Vec<usize>,
    len: usize,
}

impl Lines {
    pub(super) fn new(text: &str) -> Lines {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        starts.extend(memchr_newlines(bytes).map(|i| i + 1));
        let len = bytes.len();
        let wide = (0..starts.len())
            .filter(|&l| line_len(&starts, len, l) > WIDE)
            .collect();
        let mut chars = Vec::with_capacity(len / STEP + 1);
        let mut count = 0;
        for chunk in bytes.chunks(STEP) {
            chars.push(count);
            count += chunk.iter().filter(|&&b| !is_continuation(b)).count();
        }
        chars.push(count);
        Lines {
            starts,
            wide,
            chars,
            len,
        }
    }

    /// The 0-based line holding byte `offset` (the last line past the end).
    pub(super) fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    pub(super) fn count(&self) -> usize {
        self.starts.len()
    }

    pub(super) fn start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    /// The offset just past the line's `\n` (or the end of the text).
    pub(super) fn end_with_newline(&self, line: usize) -> usize {
        self.starts.get(line + 1).copied().unwrap_or(self.len)
    }

    pub(super) fn is_wide(&self, line: usize) -> bool {
        self.wide.binary_search(&line).is_ok()
    }

    /// The first wide line in `from..=to`, if any.
    pub(super) fn first_wide_in(&self, from: usize, to: usize) -> Option<usize> {
        let i = self.wide.partition_point(|&l| l < from);
        self.wide.get(i).copied().filter(|&l| l <= to)
    }

    /// Characters in `text[..offset]`; `offset` need not be a boundary
    /// (a partly covered character counts).
    pub(super) fn chars_before(&self, bytes: &[u8], offset: usize) -> usize {
        let offset = offset.min(bytes.len());
        let checkpoint = offset / STEP;
        let base = self.chars.get(checkpoint).copied().unwrap_or(0);
        base + bytes
            .get(checkpoint * STEP..offset)
            .unwrap_or_default()
            .iter()
            .filter(|&&b| !is_continuation(b))
            .count()
    }
}

fn line_len(starts: &[usize], len: usize, line: usize) -> usize {
    let start = starts.get(line).copied().unwrap_or(len);
    let end = starts.get(line + 1).map_or(len, |next| next - 1);
    end.saturating_sub(start)
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i)
}

/// A UTF-8 continuation byte (`10xxxxxx`) starts no character.
const fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}
