//! The audit table: records appended with the event id the database gives
//! them (so two processes never hand out the same one), read back by key,
//! principal, operation and outcome (the filter `AuditLog::list` applies in
//! memory).

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use super::rows::non_negative;
use super::StoreError;
use crate::kms::runtime::{AuditFilter, AuditRecord};
use crate::kms::Partition;

/// Appends `records`, numbering them after `last` (the last event id
/// given, [`last_event_id`] at the start of the transaction) and writing
/// each number into its record's `eventID`; `last` ends at the last number
/// used. Call inside a write transaction.
pub(super) fn append(
    connection: &Connection,
    path: &Path,
    records: &mut [AuditRecord],
    last: &mut u64,
) -> Result<(), StoreError> {
    if records.is_empty() {
        return Ok(());
    }
    let failed = |action| StoreError::database(action, path);
    let mut insert = connection
        .prepare_cached(
            "INSERT INTO audit (event_id, account, region, time, key_arn, principal_arn, operation, error_code, record)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .map_err(failed("append to the audit log"))?;
    let mut next = *last;
    for record in records {
        next += 1;
        let json = numbered(record, next).ok_or_else(|| StoreError::Encode {
            path: path.to_owned(),
            what: format!("a `{}` audit record", record.event_name),
        })?;
        let event_id = i64::try_from(next).map_err(|_| StoreError::Encode {
            path: path.to_owned(),
            what: format!("audit event id {next}"),
        })?;
        insert
            .execute(params![
                event_id,
                record.recipient_account_id,
                record.aws_region,
                record.event_time,
                record.resources.first().map(|r| r.arn.as_str()),
                record.user_identity.arn,
                record.event_name,
                record.error_code,
                json,
            ])
            .map_err(failed("append to the audit log"))?;
    }
    *last = next;
    Ok(())
}

/// `record` numbered `event_id`, as JSON text (written straight from the
/// record, with no JSON tree in between).
pub(crate) fn numbered(record: &mut AuditRecord, event_id: u64) -> Option<String> {
    record.event_id = event_id;
    serde_json::to_string(record).ok()
}

/// The last event id given, 0 when none was.
pub(super) fn last_event_id(connection: &Connection, path: &Path) -> Result<u64, StoreError> {
    let last: i64 = connection
        .prepare_cached(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0),
                        coalesce((SELECT max(event_id) FROM audit), 0))",
        )
        .and_then(|mut statement| statement.query_row([], |row| row.get(0)))
        .map_err(StoreError::database("read the audit log", path))?;
    non_negative(path, last, "audit event id")
}

/// The records that match `filter`, oldest first. The operation matches
/// without regard to case.
pub(super) fn read(connection: &Connection, path: &Path, filter: &AuditFilter) -> Result<Vec<Value>, StoreError> {
    let rows = connection
        .prepare_cached(
            "SELECT event_id, record FROM audit
             WHERE (?1 IS NULL OR key_arn = ?1
                    OR EXISTS (SELECT 1 FROM json_each(record, '$.resources')
                               WHERE json_extract(value, '$.ARN') = ?1))
               AND (?2 IS NULL OR principal_arn = ?2)
               AND (?3 IS NULL OR operation = ?3 COLLATE NOCASE)
               AND (?4 IS NULL OR (error_code IS NULL) = ?4)
             ORDER BY event_id",
        )
        .and_then(|mut statement| {
            statement
                .query_map(
                    params![filter.key, filter.principal, filter.operation, filter.succeeded],
                    |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)),
                )?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(StoreError::database("read the audit log", path))?;
    rows.into_iter()
        .map(|(event_id, record)| {
            serde_json::from_str(&record)
                .map_err(|_| StoreError::corrupt(path, format!("audit event {event_id} does not read")))
        })
        .collect()
}

/// The newest record of `partition` for an allowed call of one of
/// `operations` on `key_arn`: by the `key_arn` column (the indexed first
/// resource), and for a `ReEncrypt` also by its other resources (a
/// destination key of the same partition). Call inside one read
/// transaction.
pub(super) fn last_use(
    connection: &Connection,
    path: &Path,
    partition: &Partition,
    key_arn: &str,
    operations: &[&str],
) -> Result<Option<Value>, StoreError> {
    let failed = |action| StoreError::database(action, path);
    // Newest first through the key's index, up to the first tracked one
    // (records are read only for it).
    let mut first_id: Option<i64> = None;
    {
        let mut statement = connection
            .prepare_cached(
                "SELECT event_id, operation FROM audit
                 WHERE key_arn = ?1 AND account = ?2 AND region = ?3 AND error_code IS NULL
                 ORDER BY event_id DESC",
            )
            .map_err(failed("read the audit log"))?;
        let mut rows = statement
            .query(params![key_arn, partition.account, partition.region])
            .map_err(failed("read the audit log"))?;
        while let Some(row) = rows.next().map_err(failed("read the audit log"))? {
            let operation: String = row.get(1).map_err(failed("read the audit log"))?;
            if operations.contains(&operation.as_str()) {
                first_id = Some(row.get(0).map_err(failed("read the audit log"))?);
                break;
            }
        }
    }
    let first: Option<(i64, String)> = match first_id {
        Some(id) => connection
            .prepare_cached("SELECT event_id, record FROM audit WHERE event_id = ?1")
            .and_then(|mut statement| statement.query_row([id], |row| Ok((row.get(0)?, row.get(1)?))))
            .map(Some)
            .map_err(failed("read the audit log"))?,
        None => None,
    };
    let as_destination: Option<(i64, String)> = if operations.contains(&"ReEncrypt") {
        connection
            .prepare_cached(
                "SELECT event_id, record FROM audit
                 WHERE operation = 'ReEncrypt' COLLATE NOCASE AND key_arn != ?1
                   AND account = ?2 AND region = ?3 AND error_code IS NULL
                   AND EXISTS (SELECT 1 FROM json_each(record, '$.resources')
                               WHERE json_extract(value, '$.ARN') = ?1)
                 ORDER BY event_id DESC LIMIT 1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row(params![key_arn, partition.account, partition.region], |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })
                    .optional()
            })
            .map_err(failed("read the audit log"))?
    } else {
        None
    };
    let newest = match (first, as_destination) {
        (Some(a), Some(b)) => Some(if a.0 > b.0 { a } else { b }),
        (a, b) => a.or(b),
    };
    newest
        .map(|(event_id, record)| {
            serde_json::from_str(&record)
                .map_err(|_| StoreError::corrupt(path, format!("audit event {event_id} does not read")))
        })
        .transpose()
}
