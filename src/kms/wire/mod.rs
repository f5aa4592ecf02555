//! The KMS JSON API (AWS JSON 1.1, target `TrentService.<Operation>`) as
//! earlier callers name it: [`dispatch`] and [`OPERATIONS`] are
//! [`op::run_json`](crate::kms::op::run_json) and
//! [`op::NAMES`](crate::kms::op::NAMES), where each operation's typed
//! request and response live; the helpers here print runtime values in the
//! API's shapes for the CLI.

mod shapes;

use serde_json::Value;

pub use crate::kms::op::{grant_entry, grant_from_request, wipe, NAMES as OPERATIONS};
pub use shapes::{alias_entry, b64, key_metadata, list};

use crate::eval::Caller;
#[cfg(test)]
use crate::kms::error::ErrorName;
use crate::kms::error::KmsError;
use crate::kms::runtime::{Clock, Runtime};

/// Runs `operation` with its JSON request as `caller`, and returns the JSON
/// response (see [`op::run_json`](crate::kms::op::run_json)). A response may
/// hold a plaintext or data key: [`wipe`] it once written out.
pub fn dispatch<C: Clock>(
    rt: &mut Runtime<C>,
    caller: &Caller,
    operation: &str,
    request: &Value,
) -> Result<Value, KmsError> {
    crate::kms::op::run_json(rt, caller, operation, request)
}

#[cfg(test)]
mod tests;
