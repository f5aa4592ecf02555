//! `--output yaml`: block style, two-space indent, list items at their
//! key's indent, strings quoted only where YAML would read them otherwise
//! (as the AWS CLI's `ruamel` output).

use serde_json::Value;

/// Appends `value` as a YAML document to `out`.
pub fn format(value: &Value, out: &mut String) {
    match value {
        Value::Object(fields) if fields.is_empty() => out.push_str("{}\n"),
        Value::Array(items) if items.is_empty() => out.push_str("[]\n"),
        Value::Object(_) | Value::Array(_) => block(value, 0, out),
        scalar => {
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

fn block(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                out.push_str(&format!("{pad}{}:", string(key)));
                nested(field, indent, indent + 2, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                out.push_str(&format!("{pad}-"));
                match item {
                    Value::Object(fields) if !fields.is_empty() => {
                        // The first member on the dash's line, the rest under it.
                        let mut inner = String::new();
                        block(item, indent + 2, &mut inner);
                        out.push(' ');
                        out.push_str(inner.trim_start());
                    }
                    _ => nested(item, indent, indent + 2, out),
                }
            }
        }
        scalar => {
            out.push_str(&format!("{pad}{}\n", scalar_text(scalar)));
        }
    }
}

/// What follows `key:` or `-`: a scalar on the same line, or a block below.
fn nested(value: &Value, list_indent: usize, map_indent: usize, out: &mut String) {
    match value {
        Value::Object(fields) if !fields.is_empty() => {
            out.push('\n');
            block(value, map_indent, out);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            block(value, list_indent, out);
        }
        Value::Object(_) => out.push_str(" {}\n"),
        Value::Array(_) => out.push_str(" []\n"),
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => string(s),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// A string, single-quoted when plain YAML would read it as something else.
fn string(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c))
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains(['\n', '\r', '\t'])
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~" | "y" | "n"
        )
        && s.parse::<f64>().is_err()
        && !looks_like_a_date(s);
    if plain {
        s.to_owned()
    } else if s.contains(['\n', '\r', '\t']) || s.chars().any(char::is_control) {
        serde_json::to_string(s).unwrap_or_default()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

/// `2026-11-28…`: YAML 1.1 reads it as a timestamp.
fn looks_like_a_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn yaml(value: serde_json::Value) -> String {
        let mut out = String::new();
        super::format(&value, &mut out);
        out
    }

    #[test]
    fn a_response_prints_as_block_yaml_with_ambiguous_strings_quoted() {
        let value = json!({"KeyMetadata": {"AWSAccountId": "111122223333", "Enabled": true,
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "Description": ""},
            "Tags": [{"TagKey": "env", "TagValue": "true"}]});
        assert_eq!(
            yaml(value),
            "KeyMetadata:\n  AWSAccountId: '111122223333'\n  Enabled: true\n  EncryptionAlgorithms:\n  - SYMMETRIC_DEFAULT\n  Description: ''\nTags:\n- TagKey: env\n  TagValue: 'true'\n"
        );
    }
}
