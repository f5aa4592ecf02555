//! The suite reader (and the request reader it uses) on any text: a suite
//! that runs, or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = keyward::suite::RequestSpec::parse(text);
    }
    // Suites are read from files (policies they name are relative to them).
    let dir = std::env::temp_dir().join(format!("keyward-fuzz-suite-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let path = dir.join("fuzz.suite.json");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if let Ok(suite) = keyward::suite::Suite::load(&path) {
        let _ = keyward::suite::run_suite(&suite);
    }
});
