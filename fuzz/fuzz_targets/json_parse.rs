//! `json::decode` and `json::parse` on any bytes: an answer, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = keyward::json::decode(data) {
        let _ = keyward::json::parse(text);
    }
});
