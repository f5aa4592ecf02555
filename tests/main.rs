//! keyward's integration tests: one binary, one module per area.

mod accounts;
#[cfg(feature = "cli")]
mod cli;
mod corpus;
#[cfg(feature = "cli")]
mod diagnostics;
mod eval;
mod eval_properties;
mod eval_reference;
mod grant_properties;
mod properties;
mod store;
mod strategies;
