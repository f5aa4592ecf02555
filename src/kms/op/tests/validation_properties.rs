//! Properties of the model's validation over generated requests: a member
//! within its shape's constraints passes, one outside them is a
//! `ValidationException`, and no request, however odd, gets an internal
//! error or a panic.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::validation::minimal_request;
use super::*;

/// The string members (without pattern or enum) and the integer members of
/// every operation's request, with their shape's bounds.
fn bounded_members(kind: &str) -> Vec<(String, String, Option<i64>, Option<i64>)> {
    let model = model::Model::get();
    let mut found = Vec::new();
    for operation in model.operations.keys() {
        let Some(request) = model.request(operation) else {
            continue;
        };
        for (member, shape_name) in &request.members {
            let Some(shape) = model.shape(shape_name) else { continue };
            let plain = shape.pattern.is_none() && shape.values.is_none();
            if shape.kind == kind && plain && (shape.min.is_some() || shape.max.is_some()) {
                found.push((operation.clone(), member.clone(), shape.min, shape.max));
            }
        }
    }
    found
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_string_member_passes_exactly_when_its_length_is_within_the_model_bounds(pick in any::<prop::sample::Index>(), length in 0usize..9000) {
        let members = bounded_members("string");
        let (operation, member, min, max) = &members[pick.index(members.len())];
        let mut request = minimal_request(operation, "1234abcd-12ab-34cd-56ef-1234567890ab");
        request[member.as_str()] = json!("a".repeat(length));
        let length = length as i64;
        let within = min.is_none_or(|m| length >= m) && max.is_none_or(|m| length <= m);
        match model::check(operation, &request) {
            Ok(()) => prop_assert!(within, "{operation}.{member} of {length} passed"),
            Err(e) => {
                prop_assert!(!within, "{operation}.{member} of {length}: {e}");
                prop_assert_eq!(e.name, ErrorName::ValidationException);
            }
        }
    }

    #[test]
    fn an_integer_member_passes_exactly_when_it_is_within_the_model_range(pick in any::<prop::sample::Index>(), n in -5000i64..5000) {
        let members = bounded_members("integer");
        let (operation, member, min, max) = &members[pick.index(members.len())];
        let mut request = minimal_request(operation, "1234abcd-12ab-34cd-56ef-1234567890ab");
        request[member.as_str()] = json!(n);
        let within = min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m);
        match model::check(operation, &request) {
            Ok(()) => prop_assert!(within, "{operation}.{member} = {n} passed"),
            Err(e) => {
                prop_assert!(!within, "{operation}.{member} = {n}: {e}");
                prop_assert_eq!(e.name, ErrorName::ValidationException);
            }
        }
    }

    #[test]
    fn no_request_of_any_operation_gets_an_internal_error(
        pick in any::<prop::sample::Index>(),
        member in any::<prop::sample::Index>(),
        value in prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            ".{0,40}".prop_map(Value::from),
            Just(json!([])),
            Just(json!(["x", 1])),
            Just(json!({"a": "b"})),
            Just(json!({"TagKey": "", "TagValue": 1})),
        ],
    ) {
        let model = model::Model::get();
        let operations: Vec<&String> = model.operations.keys().collect();
        let operation = operations[pick.index(operations.len())];
        let mut rt = runtime();
        let key = new_key(&mut rt);
        let mut request = minimal_request(operation, &key);
        if let Some(shape) = model.request(operation) {
            let members: Vec<&String> = shape.members.keys().collect();
            if !members.is_empty() {
                request[members[member.index(members.len())].as_str()] = value;
            }
        }
        if let Err(e) = call(&mut rt, operation, request.clone()) {
            prop_assert_ne!(e.name, ErrorName::KMSInternalException, "{} {}: {}", operation, request, e);
        }
    }
}
