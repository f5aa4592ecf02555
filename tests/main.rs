//! keyward's integration tests: one binary, one module per area.

// First, so its `regressions!` macro is in scope for the modules below.
#[macro_use]
mod proptest_config;

mod accounts;
#[cfg(feature = "cli")]
mod aws_cli;
mod china_sm4;
#[cfg(feature = "cli")]
mod cli;
#[cfg(feature = "cli")]
mod cli_output;
#[cfg(all(feature = "cli", unix))]
mod cli_terminal;
mod conformance;
mod corpus;
mod custom_key_stores;
#[cfg(feature = "cli")]
mod diagnostics;
#[cfg(feature = "cli")]
mod envelope_cli;
mod eval;
mod eval_properties;
mod eval_reference;
#[cfg(feature = "cli")]
mod eval_simulate;
mod grant_properties;
mod hostile;
#[cfg(feature = "cli")]
mod hostile_cli;
#[cfg(feature = "cli")]
mod import_wrap_cli;
mod keys;
mod kinds;
mod lint;
mod lint_access;
#[cfg(feature = "cli")]
mod lint_cli;
mod lint_codes;
mod lint_templates;
mod multi_region;
mod multi_region_imported;
mod properties;
#[cfg(feature = "cli")]
mod raw_keys;
#[cfg(all(feature = "cli", unix))]
mod readme;
mod regional;
#[cfg(feature = "cli")]
mod repl;
#[cfg(all(feature = "cli", unix))]
mod repl_terminal;
#[cfg(feature = "serve")]
mod serve;
mod service;
mod service_cross_account;
mod service_properties;
mod service_typed;
mod store;
mod strategies;
mod userid;
#[cfg(all(feature = "serve", feature = "cli"))]
mod xks_cli;
#[cfg(feature = "serve")]
mod xks_keys;
#[cfg(all(feature = "serve", feature = "cli"))]
mod xks_mtls;
#[cfg(feature = "serve")]
mod xks_proxy;
#[cfg(feature = "serve")]
mod xks_tls;
