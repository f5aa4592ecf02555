//! The SigV4 `Authorization` header and `X-Amz-Date` parsers on any text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = keyward::server::sigv4::AuthorizationHeader::parse(text);
        let _ = keyward::server::sigv4::parse_amz_date(text);
    }
});
