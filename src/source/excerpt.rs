//! Bounded excerpts for miette. miette's graphical report renders whole
//! lines and pads to a label's column with `{:width$}`, which panics past
//! column 65,535 and fills the screen long before; its own `read_span`
//! also scans the text from the start for every label.
//!
//! Here `Source` reads spans through its line index, and on a line wider
//! than [`WIDE`](super::WIDE) returns only [`REACH`] bytes either side of the span, with
//! the true line and column. [`Excerpted`] also clips each label on such a
//! line to `SPAN_CAP` bytes, so every piece of text miette lays out is
//! short, whatever the document.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use super::{ceil_char_boundary, floor_char_boundary, Source, Span};

/// Bytes of a wide line shown before and after a span.
pub const REACH: usize = 120;

/// The longest label shown on a wide line, in bytes.
pub const SPAN_CAP: usize = 240;

impl SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.text();
        let lines = self.lines();
        let s = floor_char_boundary(text, span.offset().min(text.len()));
        let e = ceil_char_boundary(text, span.offset().saturating_add(span.len()).min(text.len())).max(s);
        let first = lines.line_of(s);
        let last = lines.line_of(if e > s { e - 1 } else { s });
        // A long span on a wide line cannot be shown in a bounded excerpt.
        // Labels are clipped before they get here (`clip`); what still
        // arrives is two labels miette wants to show together: refusing
        // makes it show them apart.
        if e - s > SPAN_CAP && lines.first_wide_in(first, last).is_some() {
            return Err(MietteError::OutOfBounds);
        }
        // As miette's own reader: without context, the contents start at
        // the span, so their column is the span's (the report's header).
        let start = if context_lines_before == 0 {
            s
        } else if lines.is_wide(first) {
            floor_char_boundary(text, lines.start(first).max(s.saturating_sub(REACH)))
        } else {
            let mut line = first;
            while line > 0 && first - line < context_lines_before && !lines.is_wide(line - 1) {
                line -= 1;
            }
            lines.start(line)
        };
        let end = if lines.is_wide(last) {
            ceil_char_boundary(text, lines.end_with_newline(last).min(e + REACH))
        } else {
            let mut line = last;
            while line + 1 < lines.count() && line - last < context_lines_after && !lines.is_wide(line + 1) {
                line += 1;
            }
            lines.end_with_newline(line)
        };
        let (line, column) = self.line_col0(start);
        // As miette's own reader counts it: the line breaks before `end`
        // (its merging of nearby labels depends on this).
        let line_count = lines.line_of(end);
        Ok(Box::new(MietteSpanContents::new(
            &text.as_bytes()[start..end],
            SourceSpan::new(start.into(), end - start),
            line,
            column,
            line_count,
        )))
    }
}

impl Source {
    /// The span as a label can show it: on a wide line, its first
    /// `SPAN_CAP` bytes.
    pub fn clip(&self, span: Span) -> Span {
        let text = self.text();
        let lines = self.lines();
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let end = span.end.min(text.len()).max(start);
        let last = lines.line_of(end.saturating_sub(1).max(start));
        if end - start <= SPAN_CAP || lines.first_wide_in(lines.line_of(start), last).is_none() {
            return Span::new(start, end);
        }
        Span::new(start, floor_char_boundary(text, start + SPAN_CAP).max(start))
    }

    /// The label with its span [`clip`](Source::clip)ped.
    pub fn clip_label(&self, label: LabeledSpan) -> LabeledSpan {
        let span = self.clip(Span::new(label.offset(), label.offset().saturating_add(label.len())));
        let text = label.label().map(|t| super::shorten(t).into_owned());
        if label.primary() {
            LabeledSpan::new_primary_with_span(text, span)
        } else {
            LabeledSpan::new_with_span(text, span)
        }
    }
}

/// A diagnostic shown against its source with clipped labels: the form
/// every front end hands to miette's graphical renderer.
pub struct Excerpted<'a> {
    inner: &'a dyn Diagnostic,
    source: miette::NamedSource<Source>,
}

impl<'a> Excerpted<'a> {
    pub fn new(inner: &'a dyn Diagnostic, source: &Source) -> Self {
        Excerpted {
            inner,
            source: source.to_named_source(),
        }
    }
}

impl fmt::Debug for Excerpted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, f)
    }
}

impl fmt::Display for Excerpted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::shorten(&self.inner.to_string()))
    }
}

impl std::error::Error for Excerpted<'_> {}

impl Diagnostic for Excerpted<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let help = self.inner.help()?.to_string();
        Some(Box::new(super::shorten(&help).into_owned()))
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let source = self.source.inner();
        let labels = self.inner.labels()?;
        Some(Box::new(labels.map(move |l| source.clip_label(l))))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
}

/// Any diagnostic made safe to render when its source is only known as a
/// `SourceCode` (a nested diagnostic, an error from a deeper layer): a label
/// its source refuses to show (a long span on a wide line) is cut to
/// `SPAN_CAP` bytes, and the message, help and label texts are
/// [`shortened`](super::shorten). Related diagnostics are not nested: render
/// [`Clipped::all`] one after another.
pub struct Clipped<'a> {
    inner: &'a dyn Diagnostic,
    source: Option<&'a dyn SourceCode>,
}

impl<'a> Clipped<'a> {
    /// The diagnostic, then each related one with the source it points into
    /// (its own, or the parent's).
    pub fn all(top: &'a dyn Diagnostic) -> Vec<Clipped<'a>> {
        let source = top.source_code();
        let mut all = vec![Clipped { inner: top, source }];
        for related in top.related().into_iter().flatten() {
            all.push(Clipped {
                inner: related,
                source: related.source_code().or(source),
            });
        }
        all
    }

    fn clip(&self, label: LabeledSpan) -> LabeledSpan {
        let text = label.label().map(|t| super::shorten(t).into_owned());
        let mut span = *label.inner();
        if let Some(source) = self.source {
            if span.len() > SPAN_CAP && source.read_span(&span, 0, 0).is_err() {
                span = SourceSpan::new(span.offset().into(), SPAN_CAP);
            }
        }
        if label.primary() {
            LabeledSpan::new_primary_with_span(text, span)
        } else {
            LabeledSpan::new_with_span(text, span)
        }
    }
}

impl fmt::Debug for Clipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, f)
    }
}

impl fmt::Display for Clipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::shorten(&self.inner.to_string()))
    }
}

impl std::error::Error for Clipped<'_> {}

impl Diagnostic for Clipped<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let help = self.inner.help()?.to_string();
        Some(Box::new(super::shorten(&help).into_owned()))
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let labels = self.inner.labels()?;
        Some(Box::new(labels.map(move |l| self.clip(l))))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source
    }
}

#[cfg(all(test, feature = "cli"))]
mod tests {
    use super::*;
    use miette::{GraphicalReportHandler, GraphicalTheme};

    #[derive(Debug, thiserror::Error, Diagnostic)]
    #[error("problem")]
    struct Problem {
        #[label("here")]
        span: SourceSpan,
        #[label("and here")]
        other: Option<SourceSpan>,
    }

    fn render(source: &Source, problem: &Problem) -> String {
        let mut out = String::new();
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_context_lines(2)
            .render_report(&mut out, &Excerpted::new(problem, source))
            .expect("renders");
        out
    }

    #[test]
    fn a_span_past_column_65535_renders_as_an_excerpt_with_its_true_position() {
        let text = format!("[\"{}\", x]", "a".repeat(1 << 20));
        let at = text.len() - 2;
        let source = Source::new("long.json", text);
        let out = render(
            &source,
            &Problem {
                span: SourceSpan::new(at.into(), 1),
                other: None,
            },
        );
        assert!(out.contains(&format!("[long.json:1:{}]", at + 1)), "{out}");
        assert!(out.contains("here"));
        assert!(out.len() < 2_000, "{} bytes", out.len());
    }

    #[test]
    fn two_labels_far_apart_on_one_wide_line_render_apart() {
        let text = format!(
            "{{\"k\": 1, {}, \"k\": 2}}",
            "\"p\": 0, ".repeat(200_000).trim_end_matches(", ")
        );
        let second = text.rfind("\"k\"").unwrap_or(0);
        let source = Source::new("dup.json", text);
        let problem = Problem {
            span: SourceSpan::new(second.into(), 3),
            other: Some(SourceSpan::new(1.into(), 3)),
        };
        let out = render(&source, &problem);
        assert!(out.contains("here") && out.contains("and here"), "{out}");
        assert!(out.len() < 4_000, "{} bytes", out.len());
    }

    #[test]
    fn a_label_over_a_whole_wide_line_is_clipped() {
        let text = format!("{{\"Sid\": \"{}\"}}", "é".repeat(100_000));
        let source = Source::new("wide.json", text);
        let len = source.text().len();
        let clipped = source.clip(Span::new(0, len));
        assert!(clipped.len() <= SPAN_CAP && source.text().is_char_boundary(clipped.end));
        let out = render(
            &source,
            &Problem {
                span: SourceSpan::new(0.into(), len),
                other: None,
            },
        );
        assert!(out.contains("here"), "{out}");
    }

    #[test]
    fn narrow_lines_render_whole_with_their_context() {
        let source = Source::new("t.json", "{\n  \"a\": 1,\n  \"b\": 2\n}\n");
        let out = render(
            &source,
            &Problem {
                span: SourceSpan::new(14.into(), 3),
                other: None,
            },
        );
        assert!(
            out.contains("1 │ {") && out.contains("3 │   \"b\": 2") && out.contains("4 │ }"),
            "{out}"
        );
        assert!(out.contains("[t.json:3:3]"), "{out}");
    }
}
