//! Diagnostics out: miette's graphical report for people, one JSON object
//! per line for machines.

use std::io::{IsTerminal, Write};

use keyward::policy::{Located, PolicyErrors};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

/// Writes each problem of a document in the chosen format.
pub fn problems(out: &mut impl Write, errors: &PolicyErrors, json: bool) -> std::io::Result<()> {
    for located in errors.located() {
        if json {
            writeln!(out, "{}", as_json(&located))?;
        } else {
            write!(out, "{}", human(&located))?;
        }
    }
    Ok(())
}

/// Colour only on a terminal, and never when `NO_COLOR` is set.
fn use_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn human(located: &Located<'_>) -> String {
    let theme = if use_colour() {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut text = String::new();
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(2);
    if handler.render_report(&mut text, located).is_err() {
        text = format!("error: {}\n", located.error);
    }
    text.push('\n');
    visible(&text)
}

/// Shows control characters from the source (a NUL-padded or binary file)
/// as their Unicode pictures, so they cannot disturb the terminal; keeps
/// line breaks, tabs and the renderer's own colour escapes.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' | '\u{1b}' => c,
            '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
            '\u{7f}' => '\u{2421}',
            _ => c,
        })
        .collect()
}

/// One problem as `--format json` prints it; fields in this order.
#[derive(serde::Serialize)]
struct JsonProblem<'a> {
    file: &'a str,
    code: String,
    severity: &'static str,
    message: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: Option<String>,
}

fn as_json(located: &Located<'_>) -> String {
    let src = located.source();
    let span = located.error.primary_span();
    let (start, end) = span.map_or((0, 0), |s| (s.offset(), s.offset() + s.len()));
    let (line, column) = src.line_col(start);
    let (end_line, end_column) = src.line_col(end);
    let problem = JsonProblem {
        file: src.name(),
        code: located.error.code_str(),
        severity: "error",
        message: located.error.to_string(),
        line,
        column,
        end_line,
        end_column,
        help: located.help().map(|h| h.to_string()),
    };
    serde_json::to_string(&problem).unwrap_or_default()
}
