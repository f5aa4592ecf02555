//! `--output table`: the AWS CLI's boxed layout, titled by the operation. A
//! structure's scalars are `name | value` rows; a list of structures is one
//! table with a column per member; each nested structure or list is a
//! section inside its parent's borders (one more `|` a side per level).

use serde_json::Value;

/// One boxed section.
struct Section {
    title: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    children: Vec<Section>,
}

/// The table for `value`, titled `title`.
pub fn format(title: &str, value: &Value) -> String {
    let section = section(title, value);
    let width = width(&section, 0).max(title.len() + 4);
    let mut out = String::new();
    out.push_str(&"-".repeat(width));
    out.push('\n');
    render(&section, 0, width, &mut out);
    out
}

fn cell(value: &Value) -> String {
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

fn section(title: &str, value: &Value) -> Section {
    let mut section = Section {
        title: title.to_owned(),
        header: Vec::new(),
        rows: Vec::new(),
        children: Vec::new(),
    };
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                if is_scalar(field) {
                    section.rows.push(vec![key.clone(), cell(field)]);
                } else {
                    section.children.push(self::section(key, field));
                }
            }
            // By name, as the AWS CLI lists a structure's scalars.
            section.rows.sort();
        }
        Value::Array(items) if items.iter().any(Value::is_object) => {
            let mut keys: Vec<String> = items
                .iter()
                .filter_map(Value::as_object)
                .flat_map(|f| f.iter().filter(|(_, v)| is_scalar(v)).map(|(k, _)| k.clone()))
                .collect();
            keys.sort();
            keys.dedup();
            for item in items {
                if let Value::Object(fields) = item {
                    if !keys.is_empty() {
                        section.rows.push(
                            keys.iter()
                                .map(|k| fields.get(k).map_or_else(String::new, cell))
                                .collect(),
                        );
                    }
                    for (key, field) in fields.iter().filter(|(_, v)| !is_scalar(v)) {
                        section.children.push(self::section(key, field));
                    }
                }
            }
            section.header = keys;
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Array(_) => section.children.push(self::section(title, item)),
                    scalar => section.rows.push(vec![cell(scalar)]),
                }
            }
        }
        scalar => section.rows.push(vec![cell(scalar)]),
    }
    section
}

/// Each column's width: its widest cell plus two spaces a side.
fn columns(section: &Section) -> Vec<usize> {
    let count = section
        .rows
        .iter()
        .map(Vec::len)
        .chain([section.header.len()])
        .max()
        .unwrap_or(0);
    (0..count)
        .map(|i| {
            section
                .rows
                .iter()
                .filter_map(|r| r.get(i))
                .chain(section.header.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
                + 4
        })
        .collect()
}

/// The width the whole table needs for `section` at `depth`.
fn width(section: &Section, depth: usize) -> usize {
    let cols = columns(section);
    let own = cols.iter().sum::<usize>() + cols.len().saturating_sub(1) + 2;
    let title = section.title.chars().count() + 6;
    let children = section.children.iter().map(|c| width(c, depth + 1)).max().unwrap_or(0);
    (own.max(title) + 2 * depth).max(children)
}

fn render(section: &Section, depth: usize, width: usize, out: &mut String) {
    let side = "|".repeat(depth);
    let inner = width - 2 * depth - 2;
    let line = |body: String, out: &mut String| {
        out.push_str(&format!("{side}{body}{side}\n"));
    };
    let mut cols = columns(section);
    // The last column takes what is left of the width.
    let used = cols.iter().sum::<usize>() + cols.len().saturating_sub(1);
    if let Some(last) = cols.last_mut() {
        *last += inner.saturating_sub(used);
    }
    let rule = |cols: &[usize]| {
        let parts: Vec<String> = cols.iter().map(|w| "-".repeat(*w)).collect();
        format!("+{}+", parts.join("+"))
    };
    line(format!("|{:^inner$}|", section.title), out);
    if cols.is_empty() {
        line(format!("+{}+", "-".repeat(inner)), out);
    } else {
        line(rule(&cols), out);
        let row = |cells: &[String], centred: bool| {
            let parts: Vec<String> = cols
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let text = cells.get(i).map_or("", String::as_str);
                    if centred {
                        format!("{text:^w$}")
                    } else {
                        format!("  {text:<0$}", w - 2)
                    }
                })
                .collect();
            format!("|{}|", parts.join("|"))
        };
        if !section.header.is_empty() {
            line(row(&section.header, true), out);
            line(rule(&cols), out);
        }
        for cells in &section.rows {
            line(row(cells, false), out);
        }
        if !section.rows.is_empty() {
            line(rule(&cols), out);
        }
    }
    for child in &section.children {
        render(child, depth + 1, width, out);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn every_line_of_a_table_has_the_same_width() {
        let value = json!({"Keys": [{"KeyId": "a", "KeyArn": "arn:aws:kms:us-east-1:111122223333:key/a"}],
            "Truncated": false});
        let table = super::format("ListKeys", &value);
        let widths: Vec<usize> = table.lines().map(|l| l.chars().count()).collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{table}");
        assert!(
            table.contains("ListKeys") && table.contains("KeyArn") && table.contains("key/a"),
            "{table}"
        );
    }

    #[test]
    fn a_structures_scalars_are_listed_by_name_as_the_aws_cli_lists_them() {
        let value = json!({"KeyMetadata": {"KeyId": "k", "Arn": "arn", "Enabled": true}});
        let table = super::format("DescribeKey", &value);
        let at = |name: &str| table.find(name).unwrap_or_else(|| panic!("{name} in {table}"));
        assert!(at("Arn") < at("Enabled") && at("Enabled") < at("KeyId"), "{table}");
    }
}
