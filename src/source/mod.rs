//! Where text comes from and where things are in it.
//!
//! A [`Source`] is a named, shared document text; a [`Span`] is a byte range
//! into it; [`Spanned<T>`] pairs a value with the span of its text. Equality
//! and hashing of `Spanned` ignore the span, so two models parsed from
//! differently formatted texts compare equal when they mean the same.
//! [`read`] brings text in under a size limit per kind of input; `excerpt`
//! shows miette bounded pieces of it, however long its lines.

mod excerpt;
#[cfg(feature = "cli")]
mod handler;
mod lines;
mod quote;
pub mod read;

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

pub use excerpt::{Clipped, Excerpted};
#[cfg(feature = "cli")]
pub use handler::report_handler;
use lines::Lines;
pub use lines::WIDE;
pub use quote::shorten;

/// A document's name (a path, `<stdin>`, …) and its full text.
#[derive(Clone)]
pub struct Source {
    name: Arc<str>,
    body: Arc<Body>,
}

/// The text and its line index (built on first use, shared by clones).
struct Body {
    text: Arc<str>,
    lines: OnceLock<Lines>,
}

impl PartialEq for Source {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.text() == other.text()
    }
}

impl Eq for Source {}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Source")
            .field("name", &self.name)
            .field("bytes", &self.text().len())
            .finish()
    }
}

impl Source {
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        Source {
            name: name.into(),
            body: Arc::new(Body {
                text: text.into(),
                lines: OnceLock::new(),
            }),
        }
    }

    fn lines(&self) -> &Lines {
        self.body.lines.get_or_init(|| Lines::new(&self.body.text))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.body.text
    }

    /// The text behind a span (empty if the span lies outside the text).
    pub fn slice(&self, span: Span) -> &str {
        self.text().get(span.start..span.end).unwrap_or("")
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let (line, column) = self.line_col0(offset);
        (line + 1, column + 1)
    }

    /// 0-based line and column (in characters) of a byte offset.
    fn line_col0(&self, offset: usize) -> (usize, usize) {
        let text = self.text();
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let lines = self.lines();
        let line = lines.line_of(offset);
        let bytes = text.as_bytes();
        let column = lines.chars_before(bytes, offset) - lines.chars_before(bytes, lines.start(line));
        (line, column)
    }

    /// The source in the form miette renders: it reads bounded excerpts, so
    /// a span on a line of any length renders (see `excerpt`).
    pub fn to_named_source(&self) -> miette::NamedSource<Source> {
        miette::NamedSource::new(self.name.as_ref(), self.clone()).with_language("json")
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn ceil_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

/// A byte range `start..end` into a [`Source`]'s text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// An empty span at one offset, for "something is missing here".
    pub const fn at(offset: usize) -> Self {
        Span {
            start: offset,
            end: offset,
        }
    }

    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        miette::SourceSpan::new(span.start.into(), span.len())
    }
}

/// A value with the span of the text it was read from.
#[derive(Clone, Copy)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub const fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Spanned<U> {
        Spanned {
            node: f(self.node),
            span: self.span,
        }
    }

    pub fn as_ref(&self) -> Spanned<&T> {
        Spanned {
            node: &self.node,
            span: self.span,
        }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.node
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl<T: Eq> Eq for Spanned<T> {}

impl<T: Hash> Hash for Spanned<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.node.hash(state);
    }
}

impl<T: fmt::Debug> fmt::Debug for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} @ {}..{}", self.node, self.span.start, self.span.end)
    }
}

impl<T: fmt::Display> fmt::Display for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.node.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let src = Source::new("t", "ab\nçd\n");
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(3), (2, 1));
        // `ç` is two bytes but one column.
        assert_eq!(src.line_col(5), (2, 2));
        assert_eq!(src.line_col(100), (3, 1));
    }

    #[test]
    fn spanned_equality_ignores_spans() {
        assert_eq!(Spanned::new("x", Span::new(0, 1)), Spanned::new("x", Span::new(7, 8)));
        assert_ne!(Spanned::new("x", Span::new(0, 1)), Spanned::new("y", Span::new(0, 1)));
    }
}
