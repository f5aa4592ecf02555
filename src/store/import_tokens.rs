//! Schema 6, table `import_tokens`: the import tokens `GetParametersForImport`
//! handed out and no import used yet, one row each, by the SHA-256 of the
//! token (never the token itself).
//! The wrapping private key is sealed under the root key, bound to the token
//! hash and key ARN (`wrap::wrap_import_key`), so a row moved to another
//! token or key does not open.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use super::root_key::RootKey;
use super::wrap::{self, Unwrap};
use super::StoreError;
use crate::crypto::import::WrappingAlgorithm;
use crate::crypto::keys::KeySpec;
use crate::crypto::KeyMaterial;
use crate::kms::runtime::StoredImport;
use crate::kms::Partition;

pub(super) const COLUMNS: &str =
    "account, region, token_hash, key_arn, algorithm, wrapping_key_spec, expires, wrapped_key";

/// An `import_tokens` row as stored, before it is checked.
pub(super) struct ImportRow {
    pub partition: Partition,
    token_hash: String,
    key_arn: String,
    algorithm: String,
    wrapping_key_spec: String,
    expires: i64,
    wrapped_key: Vec<u8>,
}

impl ImportRow {
    pub(super) fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<ImportRow> {
        Ok(ImportRow {
            partition: Partition::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?),
            token_hash: row.get(2)?,
            key_arn: row.get(3)?,
            algorithm: row.get(4)?,
            wrapping_key_spec: row.get(5)?,
            expires: row.get(6)?,
            wrapped_key: row.get(7)?,
        })
    }

    /// The row as the runtime keeps it; an error names what does not read.
    pub(super) fn check(self, root: &RootKey, path: &Path) -> Result<StoredImport, StoreError> {
        let token_hash = self.token_hash;
        let corrupt = |what: &str| StoreError::corrupt(path, format!("import token {token_hash} {what}"));
        let algorithm = WrappingAlgorithm::parse(&self.algorithm)
            .ok_or_else(|| corrupt(&format!("has an unknown wrapping algorithm `{}`", self.algorithm)))?;
        let wrapping_key_spec: KeySpec = self.wrapping_key_spec.parse().map_err(|_| {
            corrupt(&format!(
                "has an unknown wrapping key spec `{}`",
                self.wrapping_key_spec
            ))
        })?;
        let der = wrap::unwrap_import_key(root, &token_hash, &self.key_arn, &self.wrapped_key).map_err(|why| {
            corrupt(match why {
                Unwrap::OtherRootKey => "has a wrapping key sealed under another root key",
                Unwrap::Invalid => "has a wrapping key that does not unwrap: it was changed or moved",
            })
        })?;
        Ok(StoredImport {
            token_hash,
            key_arn: self.key_arn,
            algorithm,
            wrapping_key_spec,
            expires: self.expires,
            private_key: KeyMaterial::from_secret(der),
        })
    }
}

pub(super) fn write(
    connection: &Connection,
    root: &RootKey,
    path: &Path,
    partition: &Partition,
    import: &StoredImport,
) -> Result<(), StoreError> {
    let wrapped =
        wrap::wrap_import_key(root, &import.token_hash, &import.key_arn, &import.private_key).ok_or_else(|| {
            StoreError::Encode {
                path: path.to_owned(),
                what: format!("import token {}", import.token_hash),
            }
        })?;
    connection
        .prepare_cached(&format!(
            "INSERT INTO import_tokens ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (account, region, token_hash) DO UPDATE SET
                key_arn = excluded.key_arn, algorithm = excluded.algorithm,
                wrapping_key_spec = excluded.wrapping_key_spec, expires = excluded.expires,
                wrapped_key = excluded.wrapped_key"
        ))
        .and_then(|mut statement| {
            statement.execute(params![
                partition.account,
                partition.region,
                import.token_hash,
                import.key_arn,
                import.algorithm.as_str(),
                import.wrapping_key_spec.as_str(),
                import.expires,
                wrapped
            ])
        })
        .map(drop)
        .map_err(StoreError::database("save an import token", path))
}

pub(super) fn remove(
    connection: &Connection,
    path: &Path,
    partition: &Partition,
    token_hash: &str,
) -> Result<(), StoreError> {
    connection
        .prepare_cached("DELETE FROM import_tokens WHERE account = ?1 AND region = ?2 AND token_hash = ?3")
        .and_then(|mut statement| statement.execute(params![partition.account, partition.region, token_hash]))
        .map(drop)
        .map_err(StoreError::database("remove an import token", path))
}

pub(super) fn read_one(
    connection: &Connection,
    root: &RootKey,
    path: &Path,
    partition: &Partition,
    token_hash: &str,
) -> Result<Option<StoredImport>, StoreError> {
    connection
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM import_tokens WHERE account = ?1 AND region = ?2 AND token_hash = ?3"
        ))
        .and_then(|mut statement| {
            statement
                .query_row(
                    params![partition.account, partition.region, token_hash],
                    ImportRow::read,
                )
                .optional()
        })
        .map_err(StoreError::database("read an import token", path))?
        .map(|row| row.check(root, path))
        .transpose()
}
