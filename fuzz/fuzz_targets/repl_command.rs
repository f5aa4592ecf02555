//! The REPL's statement parser on any line: a statement or a diagnostic,
//! never a panic; the diagnostic renders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use miette::{GraphicalReportHandler, GraphicalTheme};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = keyward::repl::Statement::parse(text);
    if let Err(error) = keyward::repl::Statement::parse(text) {
        let mut out = String::new();
        let _ = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).render_report(&mut out, &error);
    }
});
