//! The KMS domain. For now: the authorizer that combines key policy,
//! identity policies, boundaries, session policies, SCPs, RCPs and grants
//! into one decision (§5.6), and the request whose context keys it derives.

mod actions;
mod authorize;
mod grants;
mod request;

pub use actions::{grant_operation, has_encryption_context, is_iam_only};
pub use authorize::{Authorization, Authorizer, Cause, Limit, Path, Verdict, Why};
pub use request::KmsRequest;

#[cfg(test)]
mod tests;
