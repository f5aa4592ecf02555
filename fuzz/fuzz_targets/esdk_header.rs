//! The AWS Encryption SDK message-header reader on any bytes: a header or
//! an error, never a panic, and never more encrypted data keys than the
//! cap it is given.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = data;
    if let Ok(read) = keyward::crypto::esdk::read_header(&mut input, Some(3)) {
        assert!(
            read.header.keys.len() <= 3,
            "{} keys past a cap of 3",
            read.header.keys.len()
        );
    }
    let mut input = data;
    let _ = keyward::crypto::esdk::read_header(&mut input, None);
});
