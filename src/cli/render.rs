//! Diagnostics out: miette's graphical report for people, one JSON object
//! per line for machines. Any diagnostic about a document renders here, with
//! the document's source attached.

use std::io::{IsTerminal, Write};

use keyward::policy::PolicyErrors;
use keyward::source::{report_handler, shorten, Clipped, Excerpted, Source};
use miette::{Diagnostic, GraphicalTheme};

/// Writes each problem of a document in the chosen format.
pub fn problems(out: &mut impl Write, errors: &PolicyErrors, json: bool) -> std::io::Result<()> {
    let each: Vec<&dyn Diagnostic> = errors.errors.iter().map(|e| e as &dyn Diagnostic).collect();
    diagnostics(out, &errors.src, &each, json)
}

/// The most problems of one document shown in the human format; JSON
/// output lists them all.
pub const MAX_SHOWN: usize = 50;

/// Writes diagnostics that point into `src`: all of them as JSON, the first
/// [`MAX_SHOWN`] for people, then how many more there are.
pub fn diagnostics(out: &mut impl Write, src: &Source, each: &[&dyn Diagnostic], json: bool) -> std::io::Result<()> {
    if json {
        for diagnostic in each {
            writeln!(out, "{}", as_json(src, *diagnostic))?;
        }
        return Ok(());
    }
    for diagnostic in each.iter().take(MAX_SHOWN) {
        write!(out, "{}", human(src, *diagnostic))?;
    }
    if let Some(more) = each.len().checked_sub(MAX_SHOWN).filter(|&n| n > 0) {
        writeln!(
            out,
            "… and {} more {} in `{}` (`--format json` lists every one)\n",
            thousands(more),
            if more == 1 { "problem" } else { "problems" },
            src.name()
        )?;
    }
    Ok(())
}

/// `39950` as `39,950`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A diagnostic from any layer (a suite that does not load, an accounts
/// file with problems) for people: it and each related diagnostic rendered
/// one after another, labels clipped and quotes shortened, so a problem deep
/// in a one-line file renders as any other. Replaces `miette::Report`'s
/// `Debug`, which renders labels its source cannot show as "Failed to read
/// contents for label".
pub fn report(diagnostic: &dyn Diagnostic) -> String {
    let theme = if colour_for(std::io::stderr().is_terminal()) {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = report_handler(theme, 2);
    let mut text = String::new();
    let all = Clipped::all(diagnostic);
    let shown = all.len().min(MAX_SHOWN + 1);
    for part in &all[..shown] {
        let mut one = String::new();
        if handler.render_report(&mut one, part).is_err() {
            one = format!("error: {part}\n");
        }
        text.push_str(&one);
    }
    visible(&text)
}

/// `--color`: when output is coloured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Colour {
    /// On a terminal, unless `NO_COLOR` is set
    #[default]
    Auto,
    /// Always, even in a pipe or with `NO_COLOR` (the AWS CLI's `on`)
    #[value(alias = "on")]
    Always,
    /// Never (the AWS CLI's `off`)
    #[value(alias = "off")]
    Never,
}

static COLOUR: std::sync::OnceLock<Colour> = std::sync::OnceLock::new();

/// Sets `--color` for the run; the first call wins.
pub fn choose_colour(choice: Colour) {
    let _ = COLOUR.set(choice);
}

/// Whether output to a stream that is (or is not) a terminal is coloured:
/// as `--color` says, and for `auto` only on a terminal and never when
/// `NO_COLOR` is set (https://no-color.org: a flag overrides `NO_COLOR`).
fn colour_for(terminal: bool) -> bool {
    match COLOUR.get().copied().unwrap_or_default() {
        Colour::Always => true,
        Colour::Never => false,
        Colour::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// Colour on standard output.
pub fn use_colour() -> bool {
    colour_for(std::io::stdout().is_terminal())
}

fn human(src: &Source, diagnostic: &dyn Diagnostic) -> String {
    let theme = if use_colour() {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut text = String::new();
    let handler = report_handler(theme, 2);
    let report = Excerpted::new(diagnostic, src);
    if handler.render_report(&mut text, &report).is_err() {
        text = format!("error: {}\n", shorten(&diagnostic.to_string()));
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

/// One problem as `--format json` prints it; fields in this order, the
/// shape of a `keyward lint --format json` finding
/// (`docs/schemas/lint-finding.schema.json`).
#[derive(serde::Serialize)]
struct JsonProblem<'a> {
    file: &'a str,
    rule: String,
    severity: &'static str,
    message: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: Option<String>,
}

fn as_json(src: &Source, diagnostic: &dyn Diagnostic) -> String {
    let span = diagnostic
        .labels()
        .and_then(|mut labels| labels.next())
        .map(|l| *l.inner());
    let (start, end) = span.map_or((0, 0), |s| (s.offset(), s.offset() + s.len()));
    let (line, column) = src.line_col(start);
    let (end_line, end_column) = src.line_col(end);
    let problem = JsonProblem {
        file: src.name(),
        rule: diagnostic.code().map(|c| c.to_string()).unwrap_or_default(),
        severity: "error",
        message: shorten(&diagnostic.to_string()).into_owned(),
        line,
        column,
        end_line,
        end_column,
        help: diagnostic.help().map(|h| shorten(&h.to_string()).into_owned()),
    };
    serde_json::to_string(&problem).unwrap_or_default()
}
