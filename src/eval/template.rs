//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`
//! and the literal escapes `${*}`, `${?}`, `${$}` (§8.6). A [`Template`] is
//! a string split into literal pieces and variables; matching walks it
//! against a value without building the substituted string.

use super::glob::{self, Case, Unit};
use super::request::{fold_key, Context, ContextValue};

/// A policy string value, with variables when the policy's version has them.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq)]
enum Segment {
    /// Policy text: `*` and `?` are wildcards for the `…Like` operators.
    Text(String),
    /// From `${*}`, `${?}`, `${$}`: always literal.
    Literal(String),
    Variable {
        key: String,
        folded: String,
        default: Option<String>,
    },
}

impl Template {
    /// Splits `text` into segments; with `variables` false (`2008-10-17` or
    /// no `Version`), `${…}` is plain text.
    pub fn parse(text: &str, variables: bool) -> Template {
        let mut segments = Vec::new();
        let mut rest = text;
        if variables {
            while let Some(start) = rest.find("${") {
                let Some(len) = rest[start..].find('}') else {
                    break;
                };
                let inner = &rest[start + 2..start + len];
                if !rest[..start].is_empty() {
                    segments.push(Segment::Text(rest[..start].to_owned()));
                }
                segments.push(match inner {
                    "*" | "?" | "$" => Segment::Literal(inner.to_owned()),
                    _ => variable(inner),
                });
                rest = &rest[start + len + 1..];
            }
        }
        if !rest.is_empty() || segments.is_empty() {
            segments.push(Segment::Text(rest.to_owned()));
        }
        Template { segments }
    }

    /// The text when the template has no variables.
    pub fn as_plain(&self) -> Option<&str> {
        match self.segments.as_slice() {
            [Segment::Text(t)] => Some(t),
            _ => None,
        }
    }

    /// The variables' keys as written, for "missing context keys".
    pub fn variables(&self) -> impl Iterator<Item = (&str, bool)> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Variable { key, default, .. } => Some((key.as_str(), default.is_some())),
            _ => None,
        })
    }

    /// Every variable has a value (or a default). A template with an
    /// unresolved variable matches nothing.
    pub fn resolves(&self, context: &Context) -> bool {
        self.segments.iter().all(|s| match s {
            Segment::Variable { folded, default, .. } => default.is_some() || single(context, folded).is_some(),
            _ => true,
        })
    }

    fn units<'a>(&'a self, context: &'a Context, wildcards: bool) -> Units<'a> {
        Units {
            segments: &self.segments,
            context,
            wildcards,
            current: "".chars(),
            current_wild: false,
            next: 0,
        }
    }

    /// `…Like`: wildcards in the policy text, substituted values literal.
    pub fn like(&self, value: &str, context: &Context, case: Case) -> bool {
        if let Some(plain) = self.as_plain() {
            return glob::matches_wild(plain, value, case);
        }
        self.resolves(context) && glob::matches(self.units(context, true), value, case)
    }

    /// `…Equals`: the whole substituted text, character for character.
    pub fn equals(&self, value: &str, context: &Context, case: Case) -> bool {
        if let Some(plain) = self.as_plain() {
            return match case {
                Case::Sensitive => plain == value,
                Case::Insensitive => glob::equals(glob::literal(plain), value, case),
            };
        }
        self.resolves(context) && glob::equals(self.units(context, false), value, case)
    }

    /// The substituted pattern as units: wildcards typed in the policy stay
    /// wildcards, substituted characters are literal (§8.6). `None` when a
    /// variable has no value.
    pub fn resolve_units(&self, context: &Context) -> Option<Vec<Unit>> {
        self.resolves(context).then(|| self.units(context, true).collect())
    }

    /// The substituted text.
    pub fn resolve(&self, context: &Context) -> Option<String> {
        if !self.resolves(context) {
            return None;
        }
        let mut out = String::new();
        for s in &self.segments {
            match s {
                Segment::Text(t) | Segment::Literal(t) => out.push_str(t),
                Segment::Variable { folded, default, .. } => {
                    out.push_str(single(context, folded).or(default.as_deref()).unwrap_or(""))
                }
            }
        }
        Some(out)
    }
}

/// `key` or `key, 'default'`.
fn variable(inner: &str) -> Segment {
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let d = default.trim();
            let unquoted = d.strip_prefix('\'').and_then(|d| d.strip_suffix('\'')).unwrap_or(d);
            (key.trim(), Some(unquoted.to_owned()))
        }
        None => (inner.trim(), None),
    };
    Segment::Variable {
        key: key.to_owned(),
        folded: fold_key(key),
        default,
    }
}

/// Only single-valued keys can be variables; an empty value is null (§8.3),
/// so the default applies.
fn single<'a>(context: &'a Context, folded: &str) -> Option<&'a str> {
    match context.get_folded(folded) {
        Some(ContextValue::One(v)) if !v.is_empty() => Some(v),
        _ => None,
    }
}

/// The units of a template, substituting variables as it goes.
#[derive(Clone)]
struct Units<'a> {
    segments: &'a [Segment],
    context: &'a Context,
    wildcards: bool,
    current: std::str::Chars<'a>,
    current_wild: bool,
    next: usize,
}

impl Iterator for Units<'_> {
    type Item = Unit;

    fn next(&mut self) -> Option<Unit> {
        loop {
            if let Some(c) = self.current.next() {
                return Some(match c {
                    '*' if self.current_wild => Unit::Any,
                    '?' if self.current_wild => Unit::One,
                    c => Unit::Char(c),
                });
            }
            let segment = self.segments.get(self.next)?;
            self.next += 1;
            let (text, wild) = match segment {
                Segment::Text(t) => (t.as_str(), self.wildcards),
                Segment::Literal(t) => (t.as_str(), false),
                Segment::Variable { folded, default, .. } => {
                    (single(self.context, folded).or(default.as_deref()).unwrap_or(""), false)
                }
            };
            self.current = text.chars();
            self.current_wild = wild;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        let mut c = Context::new();
        c.insert_one("aws:username", "alice");
        c.insert_one("aws:PrincipalTag/team", "a*b");
        c
    }

    #[test]
    fn substitutes_variables_case_insensitively() {
        let t = Template::parse("home/${AWS:UserName}/*", true);
        assert!(t.like("home/alice/notes", &ctx(), Case::Sensitive));
        assert!(!t.like("home/bob/notes", &ctx(), Case::Sensitive));
        assert_eq!(t.resolve(&ctx()).as_deref(), Some("home/alice/*"));
    }

    #[test]
    fn substituted_wildcards_are_literal() {
        let t = Template::parse("${aws:PrincipalTag/team}", true);
        assert!(t.like("a*b", &ctx(), Case::Sensitive));
        assert!(!t.like("axxb", &ctx(), Case::Sensitive));
    }

    #[test]
    fn defaults_and_missing_values() {
        let t = Template::parse("${aws:PrincipalTag/dept, 'company-wide'}", true);
        assert!(t.equals("company-wide", &ctx(), Case::Sensitive));
        let missing = Template::parse("${aws:PrincipalTag/dept}", true);
        assert!(!missing.resolves(&ctx()));
        assert!(!missing.equals("", &ctx(), Case::Sensitive));
        assert!(!missing.like("*", &ctx(), Case::Sensitive));
    }

    #[test]
    fn escapes_are_literal_characters() {
        let t = Template::parse("a${*}b${?}${$}", true);
        assert!(t.like("a*b?$", &ctx(), Case::Sensitive));
        assert!(!t.like("axb?$", &ctx(), Case::Sensitive));
    }

    #[test]
    fn old_versions_take_dollar_braces_literally() {
        let t = Template::parse("home/${aws:username}", false);
        assert_eq!(t.as_plain(), Some("home/${aws:username}"));
        assert!(t.equals("home/${aws:username}", &ctx(), Case::Sensitive));
    }
}
