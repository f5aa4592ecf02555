//! Calls through `kms::Service` as account 111122223333's root user (in
//! the partition of the Region), for the tests of keys across Regions.

use std::sync::Arc;

use keyward::eval::Caller;
use keyward::kms::op::Json;
use keyward::kms::runtime::SimulatedClock;
use keyward::kms::{ErrorName, KmsError, Service};
use serde_json::Value;

pub const A: &str = "111122223333";

pub type Kms = Service<Arc<SimulatedClock>>;

pub fn call(kms: &Kms, region: &str, operation: &str, request: Value) -> Result<Value, KmsError> {
    let partition = keyward::arn::partition_of(region);
    let root = Caller::parse(&format!("arn:{partition}:iam::{A}:root")).unwrap();
    kms.call(
        &root,
        region,
        &Json {
            operation,
            request: &request,
        },
    )
}

pub fn ok(kms: &Kms, region: &str, operation: &str, request: Value) -> Value {
    call(kms, region, operation, request).unwrap_or_else(|e| panic!("{operation} in {region}: {e:?}"))
}

pub fn refused(result: Result<Value, KmsError>) -> ErrorName {
    result.expect_err("the call should be refused").name
}
