//! The typed operations: decoding with AWS's errors, the model's constraints
//! (whichever layer checks them), responses in the API's shapes, the
//! registry, and the first operation added on this shape.

mod condition_keys;
mod crypto;
mod custom_key_stores;
mod decode;
mod grants_and_aliases;
mod import;
mod import_materials;
mod keys;
mod registry;
mod validation;
mod validation_properties;

use serde_json::{json, Value};

use super::*;
use crate::kms::runtime::SimulatedClock;

pub(super) const ACCOUNT: &str = "111122223333";

pub(super) fn runtime() -> Runtime<SimulatedClock> {
    Runtime::new(ACCOUNT, "us-east-1", SimulatedClock::at(1_795_867_200))
}

pub(super) fn root() -> Caller {
    Caller::parse(ACCOUNT).unwrap()
}

pub(super) fn call(rt: &mut Runtime<SimulatedClock>, operation: &str, request: Value) -> Result<Value, KmsError> {
    run_json(rt, &root(), operation, &request)
}

pub(super) fn ok(rt: &mut Runtime<SimulatedClock>, operation: &str, request: Value) -> Value {
    call(rt, operation, request).unwrap_or_else(|e| panic!("{operation}: {e}"))
}

pub(super) fn refused(result: Result<Value, KmsError>) -> (ErrorName, String) {
    let e = result.expect_err("the call should be refused");
    (e.name, e.message)
}

pub(super) fn new_key(rt: &mut Runtime<SimulatedClock>) -> String {
    ok(rt, "CreateKey", json!({}))["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// AWS's wording for a constraint on `member`.
pub(super) fn constraint(value: Option<&str>, member: &str, rule: &str) -> (ErrorName, String) {
    let e = KmsError::constraint(value, member, rule);
    (e.name, e.message)
}
