//! `--output text`: botocore's `text.py` layout. A structure's scalars go on
//! one tab-separated line (sorted by name), headed by the upper-cased name
//! of the member that holds it; its lists and structures follow, each under
//! its own name. The rows of a list of structures share one set of columns.

use serde_json::{Map, Value};

/// Appends `value`'s text form to `out`.
pub fn format(value: &Value, identifier: Option<&str>, scalar_keys: Option<&[String]>, out: &mut String) {
    match value {
        Value::Object(fields) => object(fields, identifier, scalar_keys, out),
        Value::Array(items) => list(items, identifier, out),
        scalar => {
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

/// A scalar as Python's `str` writes it (`True`, `None`).
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Object(_) | Value::Array(_))
}

fn list(items: &[Value], identifier: Option<&str>, out: &mut String) {
    if items.is_empty() {
        return;
    }
    if items.iter().any(Value::is_object) {
        let mut keys: Vec<String> = items
            .iter()
            .filter_map(Value::as_object)
            .flat_map(|fields| fields.iter().filter(|(_, v)| is_scalar(v)).map(|(k, _)| k.clone()))
            .collect();
        keys.sort();
        keys.dedup();
        for item in items {
            format(item, identifier, Some(&keys), out);
        }
    } else if items.iter().any(Value::is_array) {
        let (scalars, nested): (Vec<&Value>, Vec<&Value>) = items.iter().partition(|v| is_scalar(v));
        if !scalars.is_empty() {
            scalar_list(&scalars, identifier, out);
        }
        for item in nested {
            format(item, identifier, None, out);
        }
    } else {
        scalar_list(&items.iter().collect::<Vec<_>>(), identifier, out);
    }
}

fn scalar_list(items: &[&Value], identifier: Option<&str>, out: &mut String) {
    match identifier {
        Some(name) => {
            for item in items {
                out.push_str(&format!("{}\t{}\n", name.to_uppercase(), scalar_text(item)));
            }
        }
        None => {
            out.push_str(&items.iter().map(|v| scalar_text(v)).collect::<Vec<_>>().join("\t"));
            out.push('\n');
        }
    }
}

fn object(fields: &Map<String, Value>, identifier: Option<&str>, scalar_keys: Option<&[String]>, out: &mut String) {
    let mut scalars = Vec::new();
    let mut nested: Vec<(&str, &Value)> = Vec::new();
    let mut sorted: Vec<(&String, &Value)> = fields.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    match scalar_keys {
        None => {
            for (key, value) in sorted {
                if is_scalar(value) {
                    scalars.push(scalar_text(value));
                } else {
                    nested.push((key, value));
                }
            }
        }
        Some(keys) => {
            // A column this row lacks is empty (a `null` one is `None`), as
            // botocore writes `item.get(key, '')`.
            for key in keys {
                scalars.push(fields.get(key).map_or_else(String::new, scalar_text));
            }
            for (key, value) in sorted {
                if !keys.contains(key) {
                    nested.push((key, value));
                }
            }
        }
    }
    if !scalars.is_empty() {
        if let Some(name) = identifier {
            scalars.insert(0, name.to_uppercase());
        }
        out.push_str(&scalars.join("\t"));
        out.push('\n');
    }
    for (key, value) in nested {
        format(value, Some(key), None, out);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn text(value: serde_json::Value) -> String {
        let mut out = String::new();
        super::format(&value, None, None, &mut out);
        out
    }

    // The layouts of https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-output-format.html#text-output
    #[test]
    fn a_response_prints_as_the_aws_clis_text_output() {
        assert_eq!(text(json!({"CiphertextBlob": "AQID", "KeyId": "arn"})), "AQID\tarn\n");
        assert_eq!(
            text(json!({"Keys": [{"KeyId": "a", "KeyArn": "arn:a"}, {"KeyId": "b", "KeyArn": "arn:b"}]})),
            "KEYS\tarn:a\ta\nKEYS\tarn:b\tb\n"
        );
        assert_eq!(text(json!({"PolicyNames": ["default"]})), "POLICYNAMES\tdefault\n");
        assert_eq!(text(json!(["a", "b"])), "a\tb\n");
        assert_eq!(text(json!({"Enabled": true, "Other": null})), "True\tNone\n");
    }

    /// As the AWS CLI 1.46 prints `list-aliases` with AWS managed aliases,
    /// which have no target key nor dates.
    #[test]
    fn a_row_lacking_a_column_of_its_list_leaves_it_empty() {
        assert_eq!(
            text(json!({"Aliases": [{"AliasName": "alias/app", "TargetKeyId": "k"}, {"AliasName": "alias/aws/s3"}]})),
            "ALIASES\talias/app\tk\nALIASES\talias/aws/s3\t\n"
        );
    }
}
