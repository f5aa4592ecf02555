//! JSON text into a tree that keeps every span.
//!
//! `parse` runs three stages: `limits::screen` (size, encoding, NUL, depth),
//! the pest grammar `grammar/json.pest` (shape), and `build` (decoding strings
//! into a [`Value`] tree). Objects keep their members in order, duplicates
//! included, and numbers keep their text, so later layers can report exactly
//! what was written.

mod build;
mod error;
mod limits;
mod syntax;

pub use error::JsonError;
pub use limits::Limits;

use crate::source::{Span, Spanned};

/// A JSON value and the span of its text.
#[derive(Clone, Debug)]
pub struct Value {
    pub kind: Kind,
    pub span: Span,
}

/// What a [`Value`] is.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// The number exactly as written, e.g. `-1.50e3`.
    Number(String),
    String(String),
    Array(Vec<Value>),
    Object(Object),
}

/// The members of an object in document order, duplicates kept.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object {
    pub members: Vec<Member>,
}

/// One `"key": value` pair.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: Spanned<String>,
    pub value: Value,
}

impl PartialEq for Value {
    /// Equality of meaning as written: spans are ignored, number texts are not.
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

impl Value {
    /// A short name of the value's type, for messages ("found a number").
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Number(_) => "a number",
            Kind::String(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match &self.kind {
            Kind::Object(o) => Some(o),
            _ => None,
        }
    }
}

impl Object {
    /// The first member with this exact key.
    pub fn get(&self, key: &str) -> Option<&Member> {
        self.members.iter().find(|m| *m.key == key)
    }

    /// Every later occurrence of a key already seen in this object.
    pub fn duplicate_keys(&self) -> Vec<JsonError> {
        let mut seen: std::collections::HashMap<&str, Span> = std::collections::HashMap::new();
        let mut errors = Vec::new();
        for member in &self.members {
            match seen.entry(member.key.as_str()) {
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(member.key.span);
                }
                std::collections::hash_map::Entry::Occupied(first) => errors.push(JsonError::DuplicateKey {
                    key: member.key.node.clone(),
                    span: member.key.span.into(),
                    first: (*first.get()).into(),
                }),
            }
        }
        errors
    }
}

/// Parses a JSON text under the default [`Limits`].
pub fn parse(text: &str) -> Result<Value, JsonError> {
    parse_with(text, &Limits::default())
}

/// Parses a JSON text under the given limits.
pub fn parse_with(text: &str, limits: &Limits) -> Result<Value, JsonError> {
    limits::screen(text, limits)?;
    let pairs = syntax::parse(text)?;
    build::document(pairs)
}

/// Checks that bytes are UTF-8 text a JSON document can be read from, and
/// returns that text. The error names the byte offset of the first bad byte.
pub fn decode(bytes: &[u8]) -> Result<&str, JsonError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        JsonError::InvalidUtf8 {
            offset,
            span: Span::new(offset, offset + 1).into(),
        }
    })
}

#[cfg(test)]
mod tests;
