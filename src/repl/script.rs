//! `keyward run SCRIPT.kws`: a script's statements through a [`Session`],
//! as if typed. A statement spans lines while a JSON object in it is open.
//! The first failure stops the script, unless `--keep-going`; a failure that
//! the next line `expect`s is no failure.

use std::io::Write;

use miette::GraphicalTheme;

use crate::source::report_handler;

use super::command::{Command, Open, Statement};
use super::diagnostics::ReplError;
use super::session::{Session, Step};

#[derive(Clone, Copy, Debug, Default)]
pub struct ScriptOptions {
    /// Print each statement, after a prompt, before its output.
    pub echo: bool,
    /// Run every statement, whatever fails.
    pub keep_going: bool,
    pub colour: bool,
}

/// How a script went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScriptSummary {
    pub statements: usize,
    pub failures: usize,
    pub expectations: usize,
}

/// A diagnostic as miette draws it, the span underlined.
pub fn render_error(error: &ReplError, colour: bool) -> String {
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut text = String::new();
    if report_handler(theme, 1).render_report(&mut text, error).is_err() {
        text = format!("error: {error}\n");
    }
    text
}

/// The statements of a script with the line each starts on; a script that
/// is not UTF-8 is refused, naming the line.
pub fn statements(script: &[u8]) -> Result<Vec<(usize, String)>, ReplError> {
    let text = std::str::from_utf8(script).map_err(|e| {
        let line = script[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        ReplError::Failed(format!("line {line} is not UTF-8"))
    })?;
    let mut statements = Vec::new();
    // The statement being joined, and its open objects so far.
    let mut pending: Option<(usize, String, Open)> = None;
    for (i, line) in text.lines().enumerate() {
        let (start, mut joined, mut open) = pending.take().unwrap_or((i + 1, String::new(), Open::default()));
        if !joined.is_empty() {
            joined.push('\n');
        }
        joined.push_str(line);
        open.feed(line);
        if open.is_open() {
            pending = Some((start, joined, open));
        } else {
            statements.push((start, joined));
        }
    }
    statements.extend(pending.map(|(start, joined, _)| (start, joined)));
    Ok(statements)
}

/// Runs a script; writes what each statement prints, and each failure.
pub fn run_script(
    session: &mut Session,
    script: &[u8],
    options: ScriptOptions,
    out: &mut impl Write,
) -> Result<ScriptSummary, ReplError> {
    let statements = statements(script)?;
    let mut summary = ScriptSummary::default();
    let mut parsed = statements.iter().map(|(_, text)| Statement::parse(text)).peekable();
    let mut lines = statements.iter();
    while let Some(result) = parsed.next() {
        let (number, text) = lines.next().map(|(n, t)| (*n, t.as_str())).unwrap_or((0, ""));
        let comment = text.trim_start().starts_with('#') || text.trim().is_empty();
        if options.echo && comment {
            let _ = writeln!(out, "{text}");
        } else if options.echo {
            let prompt = format!("{}> ", session.prompt_name());
            let shown = text.replace('\n', &format!("\n{}", " ".repeat(prompt.len())));
            let _ = writeln!(out, "{prompt}{shown}");
        }
        let outcome = match result {
            Ok(None) => continue,
            Ok(Some(statement)) => {
                summary.statements += 1;
                if matches!(statement.command, Command::Expect(_)) {
                    summary.expectations += 1;
                }
                session.execute(&statement, out)
            }
            // A statement that does not parse is one that failed.
            Err(e) => {
                summary.statements += 1;
                Err(e)
            }
        };
        match outcome {
            Ok(Step::Exit) => break,
            Ok(_) => {}
            Err(error) => {
                let _ = write!(out, "{}", render_error(&error, options.colour));
                let expected = matches!(parsed.peek(), Some(Ok(Some(next))) if matches!(next.command, Command::Expect(_)))
                    && !matches!(error, ReplError::Expectation { .. } | ReplError::Syntax(_));
                if expected {
                    continue;
                }
                summary.failures += 1;
                if !options.keep_going {
                    let _ = writeln!(out, "stopped at line {number}");
                    break;
                }
            }
        }
    }
    Ok(summary)
}
