//! One tree for the documents policies live in (JSON and YAML templates,
//! Terraform plans): values with the span of their text, keys with theirs,
//! and YAML's local tags (`!Ref`, `!Sub`) kept for the intrinsic functions.

use crate::json;
use crate::source::Span;

#[derive(Clone, Debug)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Members in document order, each key with its span.
    Object(Vec<(String, Span, Node)>),
    /// A YAML local tag on a value: `!Ref Bucket` is `Tagged("Ref", "Bucket")`.
    Tagged(String, Box<Node>),
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(members) => members.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn members(&self) -> &[(String, Span, Node)] {
        match &self.value {
            Value::Object(members) => members,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Array(items) => items,
            _ => &[],
        }
    }

    /// A spanned JSON value as a node.
    pub fn from_json(value: &json::Value) -> Node {
        let value_of = match &value.kind {
            json::Kind::Null => Value::Null,
            json::Kind::Bool(b) => Value::Bool(*b),
            json::Kind::Number(n) => Value::Number(n.clone()),
            json::Kind::String(s) => Value::String(s.clone()),
            json::Kind::Array(items) => Value::Array(items.iter().map(Node::from_json).collect()),
            json::Kind::Object(o) => Value::Object(
                o.members
                    .iter()
                    .map(|m| (m.key.node.clone(), m.key.span, Node::from_json(&m.value)))
                    .collect(),
            ),
        };
        Node {
            value: value_of,
            span: value.span,
        }
    }
}
