//! Reading the saved audit log: records by key, principal, operation and
//! outcome (the filter `AuditLog::list` applies in memory), and the last
//! event id, so a restored runtime continues the numbering.

use rusqlite::params;

use super::{Store, StoreError};
use crate::kms::runtime::AuditFilter;

impl Store {
    /// The id of the last audit record saved, 0 when there is none: give it
    /// to `AuditLog::resume_after` after loading.
    pub fn last_event_id(&self) -> Result<u64, StoreError> {
        let last: i64 = self
            .connection
            .query_row("SELECT coalesce(max(event_id), 0) FROM audit", [], |row| row.get(0))
            .map_err(StoreError::database("read the audit log", &self.database))?;
        u64::try_from(last)
            .map_err(|_| StoreError::corrupt(&self.database, format!("audit event id {last} is negative")))
    }

    /// The saved audit records that match `filter`, oldest first, as the
    /// CloudTrail-shaped JSON they were saved as. The operation matches
    /// without regard to case.
    pub fn audit(&self, filter: &AuditFilter) -> Result<Vec<serde_json::Value>, StoreError> {
        let failed = StoreError::database("read the audit log", &self.database);
        let rows = self
            .connection
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
            .map_err(failed)?;
        rows.into_iter()
            .map(|(event_id, record)| {
                serde_json::from_str(&record)
                    .map_err(|_| StoreError::corrupt(&self.database, format!("audit event {event_id} does not read")))
            })
            .collect()
    }
}
