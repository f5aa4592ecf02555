//! Simulation inputs as files: the request file of `keyward simulate` and
//! the test suites of `keyward test`, with the loader that turns policy
//! files into compiled policies (keeping their sources for explanations) and
//! the runner that checks each case. `cargo test` runs `policies/eval/`
//! through this same code.

mod accounts;
mod general;
mod load;
mod request;
mod run;
mod warnings;

pub use accounts::{Accounts, Role, DEFAULT_MAX_SESSION_SECONDS, MAX_SESSION_SECONDS};
pub use general::{authorize as authorize_general, by_resource, takes_no_resource, Around, General};
pub use load::{load_grants, load_policy, LoadError, Loaded, Sources};
pub use request::RequestSpec;
pub use run::{run_suite, CaseResult, Expect, Suite, SuiteError};
pub use warnings::{warnings, Warning};
