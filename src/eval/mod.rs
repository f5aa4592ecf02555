//! The evaluator: pure IAM policy decisions. A [`Policy`](crate::policy::Policy)
//! is compiled once ([`CompiledPolicy::compile`]) and evaluated against
//! [`Request`]s ([`evaluate`]) into a [`Response`]: the decision, the
//! statements that made it, and the context keys the request lacked. No I/O,
//! clock or randomness: time arrives in the request's context.
//!
//! Matching lives in `glob` (wildcards), `arn` (component-wise ARNs),
//! `principal` (callers as account → role → session chains), `template`
//! (policy variables), `value` (typed condition values) and `condition`
//! (operators, qualifiers and the missing-key rules).

pub mod access;
mod arn;
mod compile;
mod condition;
mod describe;
mod error;
mod evaluate;
pub mod glob;
mod guardrail_note;
mod principal;
mod request;
mod template;
pub mod unique_id;
pub mod value;

pub use arn::{components as arn_components, ArnPattern};
pub use compile::{CompiledPolicy, CompiledStatement};
pub use condition::Failure;
pub use error::CompileError;
pub use evaluate::{
    evaluate, evaluate_traced, Decision, Matches, MissingKeys, Note, Outcome, Reason, Reasons, Response, Trace,
    TraceEntry,
};
pub use guardrail_note::GuardrailNote;
pub use principal::{PrincipalLevel, PrincipalMatch, PrincipalMatcher};
pub use request::{fold_key, Caller, CallerKind, Context, ContextValue, InvalidCaller, Request};
pub use template::Template;

#[cfg(test)]
mod tests;
