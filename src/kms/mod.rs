//! The KMS domain. For now: the authorizer that combines key policy,
//! identity policies, boundaries, session policies, SCPs, RCPs and grants
//! into one decision (§5.6), the request whose context keys it derives, and
//! the grant rules (`CreateGrant` validation, sub-grant limits, retiring).

mod actions;
mod authorize;
mod authorizer_builder;
mod connection_checks;
mod create_grant;
mod durability;
mod error;
mod grant_book;
mod grants;
mod key_ref;
mod key_spec;
pub mod op;
pub mod organization;
mod request;
pub mod runtime;
pub mod service;
pub mod store;
pub mod stream;
mod tracked;
pub mod wire;

pub use actions::{grant_operation, has_encryption_context, is_iam_only};
pub use authorize::{Authorization, Authorizer, Cause, GrantNote, KeyRule, Path, Verdict};
pub use authorizer_builder::{AuthorizerBuilder, AuthorizerError};
pub use create_grant::{validate as validate_grant, within as grant_within, MAX_GRANT_TOKENS};
pub use durability::AuditDurability;
pub use error::{ErrorName, KmsError};
pub use grant_book::{token_hash, GrantBook, Issued, StoredGrant, MAX_GRANTS_PER_KEY};
pub use grants::{check as check_grant, NotApplied};
pub use key_ref::KeyRef;
pub use key_spec::{KeyInfo, KeyKind, KeyUsage};
pub use request::{KmsRequest, EVERY_CALL_KEYS, KEY_RESOURCE_KEYS};
pub use service::{Answer, Operation, Service, Target};
pub use store::{Change, Commit, Partition, PartitionState, Promise, Receipt, Row, Seq, Snapshot, Store};

#[cfg(test)]
mod tests;
