//! An answer as the AWS CLI prints it: timestamps in ISO 8601 and members
//! in the model's order (the model says which members are timestamps),
//! `--query` (JMESPath), then `--output json` (four-space indent), `text`
//! (botocore's tab-separated layout), `table` (boxed, after the AWS CLI's)
//! or `yaml`.

use std::io::Write;

use serde_json::Value;

use super::model::{Model, Shape};

/// The `--output` formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// JSON, indented by four spaces (the AWS CLI's default).
    Json,
    /// Tab-separated values, as the AWS CLI's `text`.
    Text,
    /// Boxed tables, as the AWS CLI's `table`.
    Table,
    /// YAML, as the AWS CLI's `yaml`.
    Yaml,
}

/// Rewrites, in place, a response of shape `shape` as the AWS CLI prints
/// it: every timestamp member from epoch seconds to ISO 8601, and the
/// members of each structure in the model's order (botocore builds a
/// response from the model's members, so `aws kms` prints them in that
/// order whatever the wire order). Members the model lacks stay, last.
pub fn as_printed(model: &Model, shape: &str, value: &mut Value) {
    match (model.shape(shape), value) {
        (Some(Shape::Timestamp), value @ Value::Number(_)) => {
            if let Some(seconds) = value.as_f64() {
                *value = Value::String(iso8601(seconds));
            }
        }
        (Some(Shape::Structure { members, .. }), Value::Object(fields)) => {
            let mut rest: Vec<(String, Value)> = std::mem::take(fields).into_iter().collect();
            for (name, member) in &members.0 {
                if let Some(at) = rest.iter().position(|(field, _)| field == name) {
                    let (field, mut value) = rest.remove(at);
                    as_printed(model, &member.shape, &mut value);
                    fields.insert(field, value);
                }
            }
            fields.extend(rest);
        }
        (Some(Shape::List { member }), Value::Array(items)) => {
            for item in items {
                as_printed(model, member, item);
            }
        }
        (Some(Shape::Map { value: of, .. }), Value::Object(fields)) => {
            for field in fields.values_mut() {
                as_printed(model, of, field);
            }
        }
        _ => {}
    }
}

/// `2026-11-28T12:00:00+00:00` (with `.ffffff` when there is a fraction),
/// Python's `isoformat`, which the AWS CLI prints.
pub fn iso8601(seconds: f64) -> String {
    let whole = seconds.floor();
    let micros = ((seconds - whole) * 1e6).round() as i64;
    let base = keyward::kms::runtime::rfc3339(whole as i64);
    let base = base.strip_suffix('Z').unwrap_or(&base);
    if micros > 0 {
        format!("{base}.{micros:06}+00:00")
    } else {
        format!("{base}+00:00")
    }
}

/// Applies `--query` to `value`.
pub fn query(expression: &str, value: &Value) -> Result<Value, String> {
    let compiled = jmespath::compile(expression)
        .or_else(|e| bare_literals_quoted(expression).map_or(Err(e), |quoted| jmespath::compile(&quoted)))
        .map_err(|e| format!("bad value for --query `{expression}`: {e}"))?;
    let data = jmespath::Variable::from_serializable(value).map_err(|e| format!("--query: {e}"))?;
    let found = compiled
        .search(data)
        .map_err(|e| format!("--query `{expression}`: {e}"))?;
    serde_json::to_value(&*found).map_err(|e| format!("--query: {e}"))
}

/// `expression` with each backtick literal that is not JSON read as a
/// string (`` `alias/app` `` as `` `"alias/app"` ``), as the AWS CLI's
/// JMESPath still reads the deprecated form (JEP 12); `None` when there is
/// none to rewrite.
fn bare_literals_quoted(expression: &str) -> Option<String> {
    let mut out = String::with_capacity(expression.len() + 8);
    let mut rewritten = false;
    let mut chars = expression.chars();
    while let Some(c) = chars.next() {
        match c {
            // Quoted identifiers and raw strings are copied whole.
            '"' | '\'' => {
                out.push(c);
                while let Some(d) = chars.next() {
                    out.push(d);
                    if d == '\\' {
                        out.extend(chars.next());
                    } else if d == c {
                        break;
                    }
                }
            }
            '`' => {
                let mut lexeme = String::new();
                while let Some(d) = chars.next() {
                    match d {
                        '\\' if chars.as_str().starts_with('`') => lexeme.push(chars.next()?),
                        '`' => break,
                        _ => lexeme.push(d),
                    }
                }
                let json = if serde_json::from_str::<Value>(&lexeme).is_ok() {
                    lexeme
                } else {
                    let text: String = serde_json::from_str(&format!("\"{}\"", lexeme.trim_start())).ok()?;
                    rewritten = true;
                    Value::String(text).to_string()
                };
                out.push('`');
                out.push_str(&json.replace('`', "\\`"));
                out.push('`');
            }
            _ => out.push(c),
        }
    }
    rewritten.then_some(out)
}

/// Writes `value` in `format`; `title` heads a table (the operation's name).
pub fn write(out: &mut impl Write, format: Format, title: &str, value: &Value) -> std::io::Result<()> {
    match format {
        Format::Json => {
            let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
            let mut serializer = serde_json::Serializer::with_formatter(&mut *out, formatter);
            serde::Serialize::serialize(value, &mut serializer).map_err(std::io::Error::from)?;
            out.write_all(b"\n")
        }
        Format::Text => {
            let mut text = String::new();
            super::text::format(value, None, None, &mut text);
            out.write_all(text.as_bytes())
        }
        Format::Yaml => {
            let mut text = String::new();
            super::yaml::format(value, &mut text);
            out.write_all(text.as_bytes())
        }
        Format::Table => out.write_all(super::table::format(title, value).as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn timestamps_print_as_python_isoformat_in_utc() {
        assert_eq!(iso8601(1_795_867_200.0), "2026-11-28T12:00:00+00:00");
        assert_eq!(iso8601(1_795_867_200.25), "2026-11-28T12:00:00.250000+00:00");
    }

    #[test]
    fn only_members_the_model_calls_timestamps_change() {
        let model = super::super::model::model();
        let mut response = json!({"KeyMetadata": {"CreationDate": 0, "KeyId": "k", "PendingDeletionWindowInDays": 7}});
        as_printed(model, "DescribeKeyResponse", &mut response);
        assert_eq!(response["KeyMetadata"]["CreationDate"], "1970-01-01T00:00:00+00:00");
        assert_eq!(response["KeyMetadata"]["PendingDeletionWindowInDays"], 7);
    }

    #[test]
    fn members_print_in_the_model_order_as_botocore_parses_them() {
        let model = super::super::model::model();
        let mut response =
            json!({"CiphertextBlob": "c", "KeyId": "k", "KeyMaterialId": "m", "Plaintext": "p", "Extra": 1});
        as_printed(model, "GenerateDataKeyResponse", &mut response);
        let order: Vec<&str> = response.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            order,
            ["CiphertextBlob", "Plaintext", "KeyId", "KeyMaterialId", "Extra"]
        );
    }

    #[test]
    fn query_selects_as_jmespath_does() {
        let value = json!({"Keys": [{"KeyId": "a"}, {"KeyId": "b"}]});
        assert_eq!(query("Keys[].KeyId", &value).unwrap(), json!(["a", "b"]));
        assert_eq!(query("length(Keys)", &value).unwrap(), json!(2));
        assert!(query("Keys[", &value).is_err());
    }

    #[test]
    fn a_bare_backtick_literal_is_a_string_as_the_aws_cli_reads_it() {
        let value = json!({"Aliases": [{"AliasName": "alias/app", "TargetKeyId": "k"}, {"AliasName": "alias/b"}]});
        let found = query("Aliases[?AliasName==`alias/app`].TargetKeyId", &value).unwrap();
        assert_eq!(found, json!(["k"]));
        // JSON literals, quoted names and raw strings keep their meaning.
        assert_eq!(
            query("Aliases[?AliasName==`\"alias/b\"`].AliasName", &value).unwrap(),
            json!(["alias/b"])
        );
        assert_eq!(query("length(Aliases[?'`x`'!=`1`])", &value).unwrap(), json!(2));
        assert_eq!(bare_literals_quoted("a[?b==`c`]").as_deref(), Some("a[?b==`\"c\"`]"));
        assert_eq!(bare_literals_quoted("a[?'`c`'==\"`d`\"]"), None);
    }
}
