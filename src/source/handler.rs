//! The one way keyward renders a diagnostic for people.

use miette::{GraphicalReportHandler, GraphicalTheme};

/// miette's graphical handler with `theme`, showing `context_lines` around
/// each label, that wraps long messages only between words: textwrap's
/// default splitter would also break at a hyphen, cutting a flag such as
/// `--input-limit` in two, and a word longer than the line stays whole.
pub fn report_handler(theme: GraphicalTheme, context_lines: usize) -> GraphicalReportHandler {
    GraphicalReportHandler::new_themed(theme)
        .with_context_lines(context_lines)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_break_words(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error, miette::Diagnostic)]
    #[error("the input is larger than allowed; raise it with --input-limit-bytes-per-file-and-request or split the file into parts")]
    struct TooLarge;

    #[test]
    fn a_long_message_is_never_wrapped_inside_a_flag_name() {
        let mut out = String::new();
        report_handler(GraphicalTheme::unicode_nocolor(), 1)
            .with_width(40)
            .render_report(&mut out, &TooLarge)
            .expect("renders");
        assert!(out.contains("--input-limit-bytes-per-file-and-request"), "{out}");
    }
}
