//! A [`Node`] written out as JSON text for the linter, with a map from each
//! written value and key back to the span it came from, so findings on the
//! written text land at the template's own lines and columns.

use super::node::{Node, Value};
use crate::source::Span;

/// JSON text and, for each value and key written, `(written range, origin)`.
pub struct Rendered {
    pub text: String,
    map: Vec<(Span, Span)>,
}

impl Rendered {
    /// Where a span of the written text came from: the origin of the
    /// smallest written value or key that holds its start.
    pub fn origin(&self, span: Span) -> Span {
        self.map
            .iter()
            .filter(|(written, _)| written.start <= span.start && span.start < written.end.max(written.start + 1))
            .min_by_key(|(written, _)| written.end - written.start)
            .map_or(span, |(_, origin)| *origin)
    }
}

/// Writes `node`; `intrinsic` turns a template function into the string it
/// stands for (or `None` when the node is no function).
pub fn render(node: &Node, intrinsic: &dyn Fn(&Node) -> Option<String>) -> Rendered {
    let mut out = Rendered {
        text: String::new(),
        map: Vec::new(),
    };
    write(node, intrinsic, &mut out);
    out
}

fn string(text: &str, out: &mut String) {
    out.push_str(&serde_json::Value::from(text).to_string());
}

fn write(node: &Node, intrinsic: &dyn Fn(&Node) -> Option<String>, out: &mut Rendered) {
    let start = out.text.len();
    if let Some(value) = intrinsic(node) {
        string(&value, &mut out.text);
    } else {
        match &node.value {
            Value::Null => out.text.push_str("null"),
            Value::Bool(b) => out.text.push_str(if *b { "true" } else { "false" }),
            // YAML numbers (`2012-10-17` is a string there) are written as
            // strings, as CloudFormation passes them to IAM.
            Value::Number(n) => string(n, &mut out.text),
            Value::String(s) => string(s, &mut out.text),
            Value::Tagged(_, inner) => write(inner, intrinsic, out),
            Value::Array(items) => {
                out.text.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.text.push_str(", ");
                    }
                    write(item, intrinsic, out);
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
                    write(value, intrinsic, out);
                }
                out.text.push_str("\n}");
            }
        }
    }
    out.map.push((Span::new(start, out.text.len()), node.span));
}
