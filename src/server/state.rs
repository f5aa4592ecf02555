//! The server's state: one [`Service`] over the state directory's store (or
//! a memory store when ephemeral). A call that changes state holds the
//! service while its commit reaches the disk, so it runs on tokio's blocking
//! pool; any other call runs on the request's own task and awaits only its
//! audit commit, which the store batches with the commits of concurrent
//! calls into one transaction and one disk sync.

use std::sync::Arc;

use serde_json::Value;

use super::error::WireError;
use crate::eval::Caller;
use crate::kms::op;
use crate::kms::runtime::SystemClock;
use crate::kms::Service;

/// The service every request goes to.
pub type Kms = Arc<Service<SystemClock>>;

/// Runs `operation` as `caller` in `region` and returns its response once
/// its records are committed. The request is wiped once read; the response
/// may hold a plaintext: `op::wipe` it.
pub async fn call(
    kms: &Kms,
    caller: Caller,
    region: String,
    operation: String,
    mut request: Value,
) -> Result<Value, WireError> {
    if op::mutates(&operation) {
        let kms = Arc::clone(kms);
        let joined = tokio::task::spawn_blocking(move || {
            let result = op::call_json(&kms, &caller, &region, &operation, &request);
            op::wipe(&mut request);
            result
        })
        .await;
        return match joined {
            Ok(result) => result.map_err(WireError::from),
            Err(_) => Err(WireError::internal("the call stopped before it finished")),
        };
    }
    let answer = op::answer_json(kms, &caller, &region, &operation, &request);
    op::wipe(&mut request);
    answer
        .finish(|mut response| op::wipe(&mut response))
        .await
        .map_err(WireError::from)
}

/// Empties every partition (keys, aliases, grants) and commits that; the
/// audit log stays.
pub async fn reset(kms: &Kms) -> Result<(), WireError> {
    let kms = Arc::clone(kms);
    match tokio::task::spawn_blocking(move || kms.reset()).await {
        Ok(result) => result.map_err(WireError::from),
        Err(_) => Err(WireError::internal("the reset stopped before it finished")),
    }
}
