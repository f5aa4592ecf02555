//! The document reader, the compiler and the canonical printer on any text:
//! a model or every problem, never a panic; a model prints and reads back.
#![no_main]

use keyward::policy::{fmt::to_canonical_json, Document};
use keyward::source::Source;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = Source::new("fuzz.json", text);
    if let Ok(document) = Document::parse(&source, None) {
        if let Document::Policy(policy) = &document {
            let _ = keyward::eval::CompiledPolicy::compile("fuzz.json", policy);
        }
        let printed = to_canonical_json(&document);
        let again = Document::parse(&Source::new("printed.json", printed.as_str()), None);
        assert!(
            again.is_ok(),
            "the canonical form of a valid document was refused:\n{printed}"
        );
    }
});
