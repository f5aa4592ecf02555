//! A [`Node`] written out as JSON text for the linter, with a map from each
//! written value and key back to the span it came from, so findings on the
//! written text land at the template's own lines and columns; the value of
//! an intrinsic function maps byte by byte where its text can be followed
//! (`Fn::Sub`, `Fn::Join`: see `intrinsic_place`).

use super::located::Located;
use super::node::{Node, Value};
use crate::source::Span;

/// JSON text and, for each value and key written, `(written range, origin)`.
pub struct Rendered {
    pub text: String,
    map: Vec<(Span, Span)>,
    /// Function values written as strings: the written characters between
    /// the quotes, and where each byte of them comes from.
    located: Vec<(Span, Located)>,
}

/// What the written text is made from: how a template function reads as a
/// value, and where that value's bytes come from.
pub struct Intrinsics<'f> {
    pub value: &'f dyn Fn(&Node) -> Option<String>,
    pub place: &'f dyn Fn(&Node) -> Option<Located>,
}

impl Rendered {
    /// Where a span of the written text came from: inside a function's
    /// value, the bytes it covers; else the origin of the smallest written
    /// value or key that holds its start.
    pub fn origin(&self, span: Span) -> Span {
        for (content, located) in &self.located {
            // The span starts inside the quotes, or at the opening one.
            if span.start + 1 < content.start || span.start > content.end {
                continue;
            }
            let start = span.start.max(content.start);
            let end = span.end.min(content.end);
            if end > start {
                if let Some(origin) = located.origin(Span::new(start - content.start, end - content.start)) {
                    return origin;
                }
            }
        }
        self.map
            .iter()
            .filter(|(written, _)| written.start <= span.start && span.start < written.end.max(written.start + 1))
            .min_by_key(|(written, _)| written.end - written.start)
            .map_or(span, |(_, origin)| *origin)
    }
}

/// Writes `node`; `intrinsics.value` turns a template function into the
/// string it stands for (or `None` when the node is no function).
pub fn render(node: &Node, intrinsics: &Intrinsics<'_>) -> Rendered {
    let mut out = Rendered {
        text: String::new(),
        map: Vec::new(),
        located: Vec::new(),
    };
    write(node, intrinsics, &mut out);
    out
}

fn string(text: &str, out: &mut String) {
    out.push_str(&serde_json::Value::from(text).to_string());
}

fn write(node: &Node, intrinsics: &Intrinsics<'_>, out: &mut Rendered) {
    let start = out.text.len();
    if let Some(value) = (intrinsics.value)(node) {
        string(&value, &mut out.text);
        // Written without escapes, the value's bytes are the text's.
        if out.text.len() == start + value.len() + 2 {
            if let Some(located) = (intrinsics.place)(node).filter(|l| l.text == value) {
                out.located
                    .push((Span::new(start + 1, start + 1 + value.len()), located));
            }
        }
    } else {
        match &node.value {
            Value::Null => out.text.push_str("null"),
            Value::Bool(b) => out.text.push_str(if *b { "true" } else { "false" }),
            // YAML numbers (`2012-10-17` is a string there) are written as
            // strings, as CloudFormation passes them to IAM.
            Value::Number(n) => string(n, &mut out.text),
            Value::String(s) => string(s, &mut out.text),
            Value::Tagged(_, inner) => write(inner, intrinsics, out),
            Value::Array(items) => {
                out.text.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.text.push_str(", ");
                    }
                    write(item, intrinsics, out);
                }
                out.text.push(']');
            }
            Value::Object(members) => {
                out.text.push_str("{\n");
                for (i, (key, key_span, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.text.push_str(",\n");
                    }
                    let at = out.text.len();
                    string(key, &mut out.text);
                    out.map.push((Span::new(at, out.text.len()), *key_span));
                    out.text.push_str(": ");
                    write(value, intrinsics, out);
                }
                out.text.push_str("\n}");
            }
        }
    }
    out.map.push((Span::new(start, out.text.len()), node.span));
}
