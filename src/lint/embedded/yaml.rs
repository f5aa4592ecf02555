//! YAML documents (CloudFormation templates) as [`Node`]s, read with
//! yaml-rust2's event parser so every value keeps where it was written.
//! Scalars are typed as YAML 1.2's core schema types them; a value's span
//! starts at its first character and, for scalars, covers its text on that
//! line.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::node::{Node, Value};
use crate::source::Span;

/// The first document of `text`, or the parser's message.
pub fn parse(text: &str) -> Result<Node, String> {
    let mut builder = Builder {
        text,
        offsets: char_offsets(text),
        stack: Vec::new(),
        anchors: Vec::new(),
        done: None,
    };
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, false).map_err(|e| e.to_string())?;
    builder.done.ok_or_else(|| "the YAML text holds no document".to_owned())
}

/// Byte offset of each character, when the text is not ASCII (the parser
/// counts characters).
fn char_offsets(text: &str) -> Option<Vec<usize>> {
    (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).chain([text.len()]).collect())
}

enum Open {
    Array(Vec<Node>, Span, Option<String>, usize),
    Object(
        Vec<(String, Span, Node)>,
        Option<(String, Span)>,
        Span,
        Option<String>,
        usize,
    ),
}

struct Builder<'t> {
    text: &'t str,
    offsets: Option<Vec<usize>>,
    stack: Vec<Open>,
    anchors: Vec<(usize, Node)>,
    done: Option<Node>,
}

impl Builder<'_> {
    fn offset(&self, mark: &Marker) -> usize {
        let index = mark.index();
        match &self.offsets {
            Some(offsets) => offsets.get(index).copied().unwrap_or(self.text.len()),
            None => index.min(self.text.len()),
        }
    }

    /// From `start` to the end of the scalar's text on its line.
    fn scalar_span(&self, start: usize, value: &str, style: TScalarStyle) -> Span {
        let quotes = usize::from(matches!(style, TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted)) * 2;
        let line_end = self.text[start..].find('\n').map_or(self.text.len(), |i| start + i);
        Span::new(start, (start + value.len() + quotes).min(line_end).max(start))
    }

    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.done.is_none() {
                    self.done = Some(node);
                }
            }
            Some(Open::Array(items, ..)) => items.push(node),
            Some(Open::Object(members, key, ..)) => match key.take() {
                Some((k, span)) => members.push((k, span, node)),
                None => {
                    let k = match &node.value {
                        Value::String(s) | Value::Number(s) => s.clone(),
                        Value::Bool(b) => b.to_string(),
                        _ => String::new(),
                    };
                    *key = Some((k, node.span));
                }
            },
        }
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors.push((anchor, node.clone()));
        }
    }
}

fn tagged(tag: Option<String>, node: Node) -> Node {
    match tag {
        Some(tag) => Node {
            span: node.span,
            value: Value::Tagged(tag, Box::new(node)),
        },
        None => node,
    }
}

/// `!Ref` → `Ref`, `!GetAtt` → `GetAtt`: local tags only.
fn local(tag: Option<yaml_rust2::parser::Tag>) -> Option<String> {
    tag.filter(|t| t.handle == "!").map(|t| t.suffix)
}

fn scalar(value: String, style: TScalarStyle) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(value);
    }
    match value.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        v if v.parse::<f64>().is_ok() && v.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)) => {
            Value::Number(value)
        }
        _ => Value::String(value),
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let start = self.offset(&mark);
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let span = self.scalar_span(start, &value, style);
                let tag = local(tag);
                // A tagged empty scalar (`!GetAZs ''`) is still a string.
                let value = if tag.is_some() && style == TScalarStyle::Plain {
                    Value::String(value)
                } else {
                    scalar(value, style)
                };
                let node = tagged(tag, Node { value, span });
                self.remember(anchor, &node);
                self.push(node);
            }
            Event::SequenceStart(anchor, tag) => {
                self.stack
                    .push(Open::Array(Vec::new(), Span::new(start, start + 1), local(tag), anchor));
            }
            Event::MappingStart(anchor, tag) => {
                self.stack.push(Open::Object(
                    Vec::new(),
                    None,
                    Span::new(start, start + 1),
                    local(tag),
                    anchor,
                ));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Open::Array(items, span, tag, anchor)) => (
                        tagged(
                            tag,
                            Node {
                                value: Value::Array(items),
                                span,
                            },
                        ),
                        anchor,
                    ),
                    Some(Open::Object(members, _, span, tag, anchor)) => (
                        tagged(
                            tag,
                            Node {
                                value: Value::Object(members),
                                span,
                            },
                        ),
                        anchor,
                    ),
                    None => return,
                };
                self.remember(node.1, &node.0);
                self.push(node.0);
            }
            Event::Alias(anchor) => {
                let found = self
                    .anchors
                    .iter()
                    .rev()
                    .find(|(a, _)| *a == anchor)
                    .map(|(_, n)| n.clone());
                let node = found.unwrap_or(Node {
                    value: Value::Null,
                    span: Span::at(start),
                });
                self.push(node);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_place_and_tags() {
        let text = "Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Arn: !GetAtt Role.Arn\n    N: 3\n";
        let root = parse(text).expect("yaml");
        let key = root.get("Resources").and_then(|r| r.get("Key")).expect("Key");
        let ty = key.get("Type").expect("Type");
        assert_eq!(ty.as_str(), Some("AWS::KMS::Key"));
        assert_eq!(&text[ty.span.start..ty.span.end], "AWS::KMS::Key");
        assert!(matches!(&key.get("Arn").expect("Arn").value, Value::Tagged(t, _) if t == "GetAtt"));
        assert!(matches!(key.get("N").expect("N").value, Value::Number(_)));
    }

    #[test]
    fn bad_yaml_is_an_error_not_a_panic() {
        assert!(parse("a: [1, 2").is_err());
        assert!(parse("\t- : : :\n  ]").is_err() || parse("\t- : : :\n  ]").is_ok());
    }
}
