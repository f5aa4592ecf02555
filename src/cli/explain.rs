//! An [`Authorization`](keyward::kms::Authorization) in words; the REPL's
//! `explain` renders it the same way.

pub use keyward::repl::explain::{json, text};
