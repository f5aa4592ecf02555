//! Where the value of an intrinsic function inside a policy written as an
//! object comes from, byte by byte: a `Fn::Sub` template through its text
//! (each substituted `${Name}` at its placeholder), a `Fn::Join` through its
//! parts and delimiter, `Fn::If` through the value it picks. Other functions
//! (`Ref`, `Fn::GetAtt`, …) stand for their whole node.

use super::located::{self, Located};
use super::node::{Node, Value};
use super::{cloudformation, policy_text, PolicyText};

/// `node`'s value with the place of each byte in `source`, or `None` when
/// it is no function this can follow (its findings then point at the node).
pub fn locate(source: &str, root: &Node, node: &Node) -> Option<Located> {
    let (function, argument) = cloudformation::function(node)?;
    match function.as_str() {
        "Sub" => match policy_text(root, node)? {
            sub @ PolicyText::Sub { .. } => sub.located(source),
            PolicyText::Plain(..) => None,
        },
        "Join" => {
            let items = argument.items();
            let delimiter = part(source, root, items.first()?)?;
            let list = items.get(1)?;
            let parts: Vec<&Node> = match &list.value {
                Value::Array(parts) => parts.iter().collect(),
                _ => vec![list],
            };
            let mut out = Located::empty();
            for (i, node) in parts.into_iter().enumerate() {
                if i > 0 {
                    out.append(&delimiter);
                }
                out.append(&part(source, root, node)?);
            }
            Some(out)
        }
        "If" => part(source, root, argument.items().get(1)?),
        _ => None,
    }
}

/// A part of a function's argument: a scalar where it is written, a
/// function through [`locate`] or else at its whole node.
fn part(source: &str, root: &Node, node: &Node) -> Option<Located> {
    match &node.value {
        Value::String(text) | Value::Number(text) => located::locate(source, node.span, text),
        _ => locate(source, root, node)
            .or_else(|| Some(Located::spanning(&cloudformation::intrinsic(root, node)?, node.span))),
    }
}
