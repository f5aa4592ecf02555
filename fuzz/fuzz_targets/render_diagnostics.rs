//! Every problem of any document renders through miette (as `check`
//! renders it), whatever its lines' lengths: never a panic.
#![no_main]

use keyward::policy::Document;
use keyward::source::{Excerpted, Source};
use libfuzzer_sys::fuzz_target;
use miette::{GraphicalReportHandler, GraphicalTheme};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let source = Source::new("fuzz.json", text.as_ref());
    let Err(errors) = Document::parse(&source, None) else {
        return;
    };
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_context_lines(2);
    for error in errors.errors.iter().take(20) {
        let mut out = String::new();
        let _ = handler.render_report(&mut out, &Excerpted::new(error, &source));
        let _ = source.line_col(error.primary_span().map_or(0, |s| s.offset()));
    }
});
