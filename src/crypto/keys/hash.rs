//! The one place that names this generation's hash crates (see Cargo.toml:
//! `sha2-v011` and `hmac-v013` until the rest of the crate moves to them).

pub(super) use hmac_v013 as hmac;
pub(super) use sha2_v011 as sha2;
