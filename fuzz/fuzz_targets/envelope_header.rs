//! The envelope-file header reader on any bytes: a header or an error,
//! never a panic, and never more memory than the header's limits allow.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = keyward::crypto::envelope::read_header(&mut &data[..]);
});
