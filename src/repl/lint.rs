//! `lint FILE`: the problems of a policy or grant document, rendered with
//! their spans. Today these are `keyward check`'s diagnostics (the reader's
//! and the compiler's); this one function is where a linter plugs in.

use std::io::Write;
use std::path::Path;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

use crate::eval::CompiledPolicy;
use crate::policy::Document;
use crate::source::Source;

/// Writes every problem of the document at `path`; `Ok(true)` when it has none.
pub fn run(path: &Path, colour: bool, out: &mut impl Write) -> Result<bool, String> {
    let text = super::operands::read_text(path)?;
    let source = Source::new(path.display().to_string(), text.as_str());
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut rendered = String::new();
    let render = |report: &dyn Diagnostic, rendered: &mut String| {
        let _ = handler.render_report(rendered, report);
    };
    match Document::parse(&source, None) {
        Err(errors) => render(&errors, &mut rendered),
        Ok(Document::Policy(policy)) => {
            if let Err(errors) = CompiledPolicy::compile(source.name(), &policy) {
                for error in &errors {
                    let located = WithSource {
                        inner: error,
                        src: source.to_named_source(),
                    };
                    render(&located, &mut rendered);
                }
            }
        }
        Ok(Document::Grants(_)) => {}
    }
    out.write_all(rendered.as_bytes())
        .map_err(|e| format!("cannot write the output: {e}"))?;
    Ok(rendered.is_empty())
}

/// A diagnostic given its document's source.
#[derive(Debug)]
struct WithSource<'a> {
    inner: &'a dyn Diagnostic,
    src: miette::NamedSource<std::sync::Arc<str>>,
}

impl std::fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.inner, f)
    }
}

impl std::error::Error for WithSource<'_> {}

impl Diagnostic for WithSource<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.code()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.inner.labels()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
}
