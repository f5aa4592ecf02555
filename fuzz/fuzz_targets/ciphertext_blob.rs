//! The ciphertext-blob decoder on any bytes: a header or `InvalidCiphertext`,
//! and opening tampered bytes never succeeds or panics.
#![no_main]

use std::collections::BTreeMap;

use keyward::crypto::{open, peek, KeyMaterial};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = peek(data);
    let material = KeyMaterial::from_bytes([7; 32]);
    assert!(open(data, &material, &BTreeMap::new()).is_err(), "forged bytes opened");
});
