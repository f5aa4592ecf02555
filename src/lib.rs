//! keyward: a KMS key-policy and grant engine, linter and local key-management
//! service.
//!
//! The pipeline, by stage: [`json::parse`] (text → spanned JSON),
//! [`policy::Document::from_json`] (JSON → policy or grant model, every
//! problem reported at once), and [`policy::fmt`] (model → canonical text).
//! See `DESIGN.md`-style notes at the top of each module.
//!
//! The local KMS is embedded through [`Service`]: every KMS operation is a
//! typed request in [`op`] (`op::Encrypt`, `op::CreateKey`, …) given to
//! [`Service::call`] with the caller, which validates, authorizes with the
//! evaluator, runs, commits and audits it, exactly as `keyward serve` does
//! (`examples/embed.rs`; [`op::Json`] takes the KMS JSON API's request instead).

#![forbid(unsafe_code)]

pub mod arn;
pub mod catalog;
pub mod crypto;
pub mod envelope;
pub mod eval;
pub mod json;
pub mod kms;
pub mod lint;
pub mod policy;
#[cfg(feature = "cli")]
pub mod repl;
#[cfg(feature = "serve")]
pub mod server;
pub mod source;
pub mod store;
pub mod suite;
#[cfg(feature = "serve")]
pub mod xks;

pub use kms::{op, Service};
pub use source::{Source, Span, Spanned};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
