//! `DryRun`: the call runs in full (validation, key lookup, authorization,
//! key state, the cryptography), then everything it changed is undone and a
//! call that would have succeeded answers `DryRunOperationException`; one
//! that would have failed answers its own error
//! (<https://docs.aws.amazon.com/kms/latest/developerguide/testing-permissions.html>).
//! Its audit record carries that error, as CloudTrail's does.

use crate::kms::error::{ErrorName, KmsError};
use crate::kms::runtime::{Clock, Runtime};

/// The message AWS gives.
pub const MESSAGE: &str = "The request would have succeeded, but the DryRun option is set.";

/// Runs `call` as a dry run on `rt`.
pub fn run<C: Clock, R>(
    rt: &mut Runtime<C>,
    call: impl FnOnce(&mut Runtime<C>) -> Result<R, KmsError>,
) -> Result<R, KmsError> {
    let first = rt.audit.next_event_id();
    let sent = rt.outbox.len();
    rt.savepoint();
    let result = call(rt);
    rt.undo_to_savepoint();
    // Nothing of the call reaches other partitions either; what the sweep
    // before it sent (a rotation that fell due) still does.
    rt.outbox.truncate(sent);
    result?;
    let error = KmsError::new(ErrorName::DryRunOperationException, MESSAGE);
    rt.audit.refuse_since(first, &error);
    Err(error)
}

/// [`run`] for a call across two partitions: both are undone, and both
/// record the call as a dry run.
pub fn run_across<C: Clock, R>(
    rt: &mut Runtime<C>,
    other: &mut Runtime<C>,
    call: impl FnOnce(&mut Runtime<C>, &mut Runtime<C>) -> Result<R, KmsError>,
) -> Result<R, KmsError> {
    let first = (rt.audit.next_event_id(), other.audit.next_event_id());
    let sent = (rt.outbox.len(), other.outbox.len());
    rt.savepoint();
    other.savepoint();
    let result = call(rt, other);
    rt.undo_to_savepoint();
    other.undo_to_savepoint();
    rt.outbox.truncate(sent.0);
    other.outbox.truncate(sent.1);
    result?;
    let error = KmsError::new(ErrorName::DryRunOperationException, MESSAGE);
    rt.audit.refuse_since(first.0, &error);
    other.audit.refuse_since(first.1, &error);
    Err(error)
}
