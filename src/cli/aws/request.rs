//! The command line's values → the operation's JSON request, typed by the
//! model as the AWS CLI types them: `file://` (text) and `fileb://` (bytes)
//! anywhere, blobs in base64 (or raw with `--cli-binary-format
//! raw-in-base64-out`), lists as several values or `a,b`, maps and
//! structures as shorthand or JSON, timestamps as ISO 8601 or epoch seconds.

use std::path::Path;

use base64::Engine as _;
use keyward::source::read::{self, Kind};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::model::{kebab, Model, Shape};
use super::shorthand;

/// What the command line gave for one member.
#[derive(Debug, Clone)]
pub enum Given {
    Values(Vec<String>),
    Flag(bool),
}

/// How blob values are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binary {
    /// Base64 text (the AWS CLI v2 default).
    Base64,
    /// The text's own bytes (`--cli-binary-format raw-in-base64-out`).
    Raw,
}

/// The request of shape `input`: `--cli-input-json` first, then each member
/// the command line gives, then the check that required members are there.
pub fn build(
    model: &Model,
    input: &str,
    base: Option<&str>,
    given: &[(String, Given)],
    binary: Binary,
) -> Result<Value, String> {
    let mut request = match base {
        Some(text) => {
            let text = text_of(text)?;
            let value: Value = serde_json::from_str(&text).map_err(|e| format!("--cli-input-json is not JSON: {e}"))?;
            if !value.is_object() {
                return Err("--cli-input-json must be a JSON object of the operation's members".into());
            }
            coerce(model, input, value, binary, "--cli-input-json")?
        }
        None => Value::Object(Map::new()),
    };
    let members = model.members(input);
    for (name, value) in given {
        let Some((_, member)) = members.iter().find(|(n, _)| n == name) else {
            continue;
        };
        let flag = format!("--{}", kebab(name));
        let typed = typed(model, &member.shape, value, binary, &flag)?;
        if let Value::Object(fields) = &mut request {
            fields.insert(name.clone(), typed);
        }
    }
    let missing: Vec<String> = model
        .required(input)
        .iter()
        .filter(|name| request.get(name.as_str()).is_none_or(Value::is_null))
        .map(|name| format!("--{}", kebab(name)))
        .collect();
    if !missing.is_empty() {
        return Err(format!("the following arguments are required: {}", missing.join(", ")));
    }
    Ok(request)
}

/// `values` given with `flag`, typed by `shape` as a member of that shape
/// is typed on the `keyward kms` command line (shorthand, JSON, `file://`,
/// lists as several values or `a,b`; blobs in base64). keyward's short
/// verbs read their AWS-style flags through this, so both parse alike.
pub fn of_shape(model: &Model, shape: &str, values: &[String], flag: &str) -> Result<Value, String> {
    typed(model, shape, &Given::Values(values.to_vec()), Binary::Base64, flag)
}

/// `file://PATH` as text (under the `param` limit); anything else as itself.
fn text_of(value: &str) -> Result<Zeroizing<String>, String> {
    match value.strip_prefix("file://") {
        Some(path) => paramfile_text(path, value, "Error parsing parameter"),
        None => Ok(Zeroizing::new(value.to_owned())),
    }
}

/// The text of a paramfile, read under the `param` limit and wiped when
/// dropped (a value may be a plaintext); `context` starts the message.
fn paramfile_text(path: &str, value: &str, context: &str) -> Result<Zeroizing<String>, String> {
    read::secret_text(Path::new(path), Kind::Parameter)
        .map_err(|e| format!("{context}: unable to load paramfile {value}: {}", e.reason()))
}

/// The value of one member given on the command line.
fn typed(model: &Model, shape: &str, given: &Given, binary: Binary, flag: &str) -> Result<Value, String> {
    let values = match given {
        Given::Flag(on) => return Ok(Value::Bool(*on)),
        Given::Values(values) => values,
    };
    match model.shape(shape) {
        Some(Shape::List { member }) => {
            if let [one] = values.as_slice() {
                let text = text_of(one)?;
                if text.trim_start().starts_with('[') {
                    let value = serde_json::from_str(&text).map_err(|e| format!("{flag}: not a JSON list: {e}"))?;
                    return coerce(model, shape, value, binary, flag);
                }
            }
            let mut items = Vec::new();
            for value in values {
                if matches!(model.shape(member), Some(Shape::Structure { .. } | Shape::Map { .. })) {
                    items.push(one(model, member, value, binary, flag)?);
                } else {
                    let text = text_of(value)?;
                    for part in text.split(',') {
                        items.push(scalar(model, member, part, binary, flag)?);
                    }
                }
            }
            Ok(Value::Array(items))
        }
        _ => match values.last() {
            Some(value) => one(model, shape, value, binary, flag),
            None => Err(format!("{flag} expects a value")),
        },
    }
}

/// One value (not a list's several): a structure or map as JSON or
/// shorthand, a blob from `fileb://`, else a scalar.
fn one(model: &Model, shape: &str, value: &str, binary: Binary, flag: &str) -> Result<Value, String> {
    if let (Some(path), Some(Shape::Blob)) = (value.strip_prefix("fileb://"), model.shape(shape)) {
        let bytes = read::secret_bytes(Path::new(path), Kind::Parameter).map_err(|e| {
            format!(
                "Error parsing parameter '{flag}': unable to load paramfile {value}: {}",
                e.reason()
            )
        })?;
        return Ok(Value::String(base64::engine::general_purpose::STANDARD.encode(&*bytes)));
    }
    let text = match value.strip_prefix("fileb://") {
        Some(path) => paramfile_text(path, value, &format!("Error parsing parameter '{flag}'"))?,
        None => text_of(value)?,
    };
    match model.shape(shape) {
        Some(Shape::Structure { .. } | Shape::Map { .. }) => {
            let parsed = if text.trim_start().starts_with('{') {
                serde_json::from_str(&text).map_err(|e| format!("{flag}: not a JSON object: {e}"))?
            } else {
                shorthand::parse(&text).map_err(|e| format!("Error parsing parameter '{flag}': {e}"))?
            };
            coerce(model, shape, parsed, binary, flag)
        }
        _ => scalar(model, shape, &text, binary, flag),
    }
}

/// A scalar of `shape` from its text.
fn scalar(model: &Model, shape: &str, text: &str, binary: Binary, flag: &str) -> Result<Value, String> {
    Ok(match model.shape(shape) {
        Some(Shape::Integer | Shape::Long) => Value::from(
            text.trim()
                .parse::<i64>()
                .map_err(|_| format!("{flag}: `{text}` is not an integer"))?,
        ),
        Some(Shape::Double) => {
            let number: f64 = text
                .trim()
                .parse()
                .map_err(|_| format!("{flag}: `{text}` is not a number"))?;
            serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)
        }
        Some(Shape::Boolean) => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(format!("{flag}: `{text}` is not `true` or `false`")),
        },
        Some(Shape::Timestamp) => {
            let nanos = keyward::eval::value::date(text)
                .ok_or_else(|| format!("{flag}: `{text}` is not a timestamp (ISO 8601 or epoch seconds)"))?;
            Value::from(i64::try_from(nanos / 1_000_000_000).unwrap_or(i64::MAX))
        }
        Some(Shape::Blob) => match binary {
            Binary::Raw => Value::String(base64::engine::general_purpose::STANDARD.encode(text.as_bytes())),
            Binary::Base64 => {
                let trimmed = text.trim();
                if base64::engine::general_purpose::STANDARD.decode(trimmed).is_err() {
                    return Err(format!(
                        "Invalid base64 for {flag}: give base64, `fileb://PATH` for a file's bytes, or `--cli-binary-format raw-in-base64-out` for text"
                    ));
                }
                Value::String(trimmed.to_owned())
            }
        },
        _ => Value::String(text.to_owned()),
    })
}

/// Types an untyped value (shorthand or JSON) by `shape`: strings become
/// the numbers, booleans and blobs the model asks for; an unknown member of
/// a structure is refused, naming the ones it has.
fn coerce(model: &Model, shape: &str, value: Value, binary: Binary, flag: &str) -> Result<Value, String> {
    match (model.shape(shape), value) {
        (Some(Shape::Structure { members, .. }), Value::Object(fields)) => {
            let mut typed = Map::new();
            for (name, field) in fields {
                let Some((_, member)) = members.0.iter().find(|(n, _)| *n == name) else {
                    let names: Vec<&str> = members.0.iter().map(|(n, _)| n.as_str()).collect();
                    return Err(format!(
                        "Parameter validation failed for {flag}: unknown parameter `{name}`, must be one of: {}",
                        names.join(", ")
                    ));
                };
                typed.insert(name, coerce(model, &member.shape, field, binary, flag)?);
            }
            Ok(Value::Object(typed))
        }
        (Some(Shape::Map { value: of, .. }), Value::Object(fields)) => {
            let mut typed = Map::new();
            for (name, field) in fields {
                typed.insert(name, coerce(model, of, field, binary, flag)?);
            }
            Ok(Value::Object(typed))
        }
        (Some(Shape::List { member }), Value::Array(items)) => items
            .into_iter()
            .map(|item| coerce(model, member, item, binary, flag))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        (Some(Shape::List { member }), single) => Ok(Value::Array(vec![coerce(model, member, single, binary, flag)?])),
        (Some(Shape::Structure { .. } | Shape::Map { .. }), other) => {
            Err(format!("{flag}: expected a structure, found `{other}`"))
        }
        (_, Value::String(text)) => scalar(model, shape, &text, binary, flag),
        (_, other) => Ok(other),
    }
}
