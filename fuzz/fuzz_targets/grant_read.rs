//! The grant reader (constraints included) on any text: grants or every
//! problem, never a panic.
#![no_main]

use keyward::policy::{Document, DocumentKind};
use keyward::source::Source;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Document::parse(&Source::new("grants.json", text), Some(DocumentKind::Grants));
    }
});
