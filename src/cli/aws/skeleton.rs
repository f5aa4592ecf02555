//! `--generate-cli-skeleton [input|output]`: every member of the request
//! (or response) with a placeholder of its type, as the AWS CLI prints it,
//! to fill in and pass back with `--cli-input-json file://…`.

use serde_json::{Map, Value};

use super::model::{Model, Shape};

/// The skeleton of `shape` (`depth` stops recursive shapes).
pub fn of(model: &Model, shape: &str, depth: usize) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    match model.shape(shape) {
        Some(Shape::Structure { members, .. }) => Value::Object(
            members
                .0
                .iter()
                .map(|(name, member)| (name.clone(), of(model, &member.shape, depth + 1)))
                .collect::<Map<_, _>>(),
        ),
        Some(Shape::List { member }) => Value::Array(vec![of(model, member, depth + 1)]),
        Some(Shape::Map { key, value }) => {
            let mut map = Map::new();
            let key = match of(model, key, depth + 1) {
                Value::String(s) if !s.is_empty() => s,
                _ => "KeyName".to_owned(),
            };
            map.insert(key, of(model, value, depth + 1));
            Value::Object(map)
        }
        Some(Shape::String { r#enum }) if !r#enum.is_empty() => Value::String(r#enum[0].clone()),
        Some(Shape::Integer | Shape::Long | Shape::Double) => Value::from(0),
        Some(Shape::Boolean) => Value::Bool(true),
        Some(Shape::Timestamp) => Value::String("1970-01-01T00:00:00".into()),
        _ => Value::String(String::new()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_skeleton_names_every_member_with_a_placeholder_of_its_type() {
        let model = super::super::model::model();
        let skeleton = super::of(model, "CreateGrantRequest", 0);
        assert_eq!(skeleton["KeyId"], "");
        assert_eq!(skeleton["Operations"][0], "Decrypt");
        assert_eq!(skeleton["Constraints"]["EncryptionContextSubset"]["KeyName"], "");
        assert_eq!(skeleton["DryRun"], true);
    }
}
