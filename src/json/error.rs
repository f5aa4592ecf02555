//! Everything that can be wrong with a JSON text, each with the span to blame.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// A problem found while reading JSON text.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum JsonError {
    #[error("{message}")]
    #[diagnostic(code("keyward::json::syntax"))]
    Syntax {
        message: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("the document is larger than the limit of {limit} bytes")]
    #[diagnostic(
        code("keyward::json::too-large"),
        help("split the document, or raise the limit with `--input-limit policy=SIZE` if this size is expected")
    )]
    TooLarge {
        size: usize,
        limit: usize,
        #[label("the limit is reached here")]
        span: SourceSpan,
    },

    #[error("nesting is deeper than the limit of {limit} levels")]
    #[diagnostic(
        code("keyward::json::too-deep"),
        help("policies and grants nest a few levels deep; a document this deep is not one of them")
    )]
    TooDeep {
        limit: usize,
        #[label("level {} starts here", limit + 1)]
        span: SourceSpan,
    },

    #[error("the document is not valid UTF-8: invalid byte at offset {offset}")]
    #[diagnostic(
        code("keyward::json::invalid-utf8"),
        help("policy documents must be UTF-8; re-save the file as UTF-8 (UTF-16 and Latin-1 files need converting)")
    )]
    InvalidUtf8 {
        offset: usize,
        #[label("invalid UTF-8 here")]
        span: SourceSpan,
    },

    #[error("the document starts with a byte order mark")]
    #[diagnostic(
        code("keyward::json::byte-order-mark"),
        help("remove the byte order mark (U+FEFF); JSON text must not start with one (RFC 8259 §8.1)")
    )]
    ByteOrderMark {
        #[label("byte order mark")]
        span: SourceSpan,
    },

    #[error("the document contains a NUL byte at offset {offset}")]
    #[diagnostic(
        code("keyward::json::nul-byte"),
        help("a JSON text never contains NUL; the file may be binary or UTF-16 encoded")
    )]
    NulByte {
        offset: usize,
        #[label("NUL byte")]
        span: SourceSpan,
    },

    #[error("unescaped control character U+{code:04X} in a string")]
    #[diagnostic(
        code("keyward::json::control-character"),
        help("write it as an escape, such as `\\n`, `\\t` or `\\u{code:04X}`")
    )]
    ControlCharacter {
        code: u32,
        #[label("control character")]
        span: SourceSpan,
    },

    #[error("`\\u` escape is half of a surrogate pair with no other half")]
    #[diagnostic(
        code("keyward::json::lone-surrogate"),
        help("a character above U+FFFF is written as two escapes, such as `\\uD83D\\uDE00`")
    )]
    LoneSurrogate {
        #[label("unpaired surrogate")]
        span: SourceSpan,
    },

    #[error("duplicate key `{key}`")]
    #[diagnostic(
        code("keyward::json::duplicate-key"),
        help("a key may appear only once per object; merge the two")
    )]
    DuplicateKey {
        key: String,
        #[label("duplicate")]
        span: SourceSpan,
        #[label("first defined here")]
        first: SourceSpan,
    },
}
