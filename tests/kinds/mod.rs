//! Every key kind through `kms::Service`, the one call path: `CreateKey`
//! for each `KeySpec` and `KeyUsage` AWS allows (and its errors for the
//! others), the operations of each kind with AWS's errors, grants, key
//! states, `DryRun`, the condition keys each operation sets, persistence in
//! SQLite, and signatures, ciphertexts and shared secrets checked with the
//! `openssl` command, an implementation keyward does not use.

#[cfg(feature = "cli")]
mod cli_verbs;
mod create;
#[cfg(feature = "cli")]
mod examples;
mod independent;
mod operations;
mod policies;
mod properties;

use std::sync::Arc;

use base64::Engine;
use keyward::eval::Caller;
use keyward::kms::op::Json;
use keyward::kms::runtime::SimulatedClock;
use keyward::kms::{Authorizer, ErrorName, KmsError, Service, Store};
use keyward::store::MemoryStore;
use serde_json::{json, Value};

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";
const NOW: i64 = 1_795_867_200;

type Kms = Service<Arc<SimulatedClock>>;

fn open(store: impl Store + 'static) -> Kms {
    Service::open(
        Box::new(store),
        Authorizer::default(),
        Arc::new(SimulatedClock::at(NOW)),
        ACCOUNT,
    )
    .unwrap()
}

fn kms() -> Kms {
    open(MemoryStore::new())
}

fn root() -> Caller {
    Caller::parse(&format!("arn:aws:iam::{ACCOUNT}:root")).unwrap()
}

fn call_in(kms: &Kms, caller: &Caller, region: &str, operation: &str, request: Value) -> Result<Value, KmsError> {
    kms.call(
        caller,
        region,
        &Json {
            operation,
            request: &request,
        },
    )
}

fn call(kms: &Kms, operation: &str, request: Value) -> Result<Value, KmsError> {
    call_in(kms, &root(), REGION, operation, request)
}

fn ok(kms: &Kms, operation: &str, request: Value) -> Value {
    call(kms, operation, request).unwrap_or_else(|e| panic!("{operation}: {e}"))
}

/// The error name and message of a call that must fail.
fn refused(result: Result<Value, KmsError>) -> (ErrorName, String) {
    let e = result.expect_err("the call should fail");
    (e.name, e.message)
}

/// A new key of `spec` and `usage`; its key id.
fn create(kms: &Kms, spec: &str, usage: &str) -> String {
    let created = ok(kms, "CreateKey", json!({"KeySpec": spec, "KeyUsage": usage}));
    created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn bytes(value: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(value.as_str().expect("a base64 member"))
        .unwrap()
}
