//! ARN matching component by component (§8.4): `arn`, partition, service,
//! region, account and resource are matched separately, so a `*` never
//! swallows the `:` between two components. The resource component keeps any
//! further colons.

use super::glob::{self, Case, Pattern, Unit};
use super::request::Context;
use super::template::Template;

/// Splits at the first five colons; `None` when there are fewer. A plain
/// byte loop: ARNs are short, and this runs for every resource pattern.
pub fn components(arn: &str) -> Option<[&str; 6]> {
    let mut out = [""; 6];
    let mut start = 0;
    let mut field = 0;
    for (i, b) in arn.bytes().enumerate() {
        if b == b':' {
            out[field] = &arn[start..i];
            field += 1;
            start = i + 1;
            if field == 5 {
                break; // the resource component keeps any further colons
            }
        }
    }
    if field < 5 {
        return None;
    }
    out[5] = &arn[start..];
    Some(out)
}

/// A compiled ARN pattern: `*`, or six component patterns, or (with policy
/// variables) a template split after substitution.
#[derive(Clone, Debug, PartialEq)]
pub enum ArnPattern {
    Everything,
    Components(Vec<Pattern>),
    /// A condition value with variables: resolved per request, then matched
    /// component-wise.
    Template(Template),
    /// A `Resource` with variables, which may stand only in the resource
    /// component (§8.6): five fixed components and a template.
    ResourceTemplate(Vec<Pattern>, Template),
    /// Not an ARN at all: matches only itself, exactly (as `StringLike` would not).
    Malformed(String),
}

impl ArnPattern {
    pub fn compile(text: &str, variables: bool) -> ArnPattern {
        if text == "*" {
            return ArnPattern::Everything;
        }
        let template = Template::parse(text, variables);
        if template.as_plain().is_none() {
            return ArnPattern::Template(template);
        }
        match components(text) {
            Some(parts) => ArnPattern::Components(parts.iter().map(|p| Pattern::new(p)).collect()),
            None => ArnPattern::Malformed(text.to_owned()),
        }
    }

    /// A `Resource`/`NotResource` element: policy variables are substituted
    /// only after the fifth colon; elsewhere `${…}` is plain text (§8.6).
    pub fn resource(text: &str, variables: bool) -> ArnPattern {
        let Some(parts) = components(text).filter(|_| text != "*") else {
            return ArnPattern::compile(text, false);
        };
        let resource = Template::parse(parts[5], variables);
        if resource.as_plain().is_some() {
            return ArnPattern::compile(text, false);
        }
        ArnPattern::ResourceTemplate(parts[..5].iter().map(|p| Pattern::new(p)).collect(), resource)
    }

    pub fn matches(&self, arn: &str, context: &Context) -> bool {
        match self {
            ArnPattern::ResourceTemplate(head, resource) => components(arn).is_some_and(|values| {
                head.iter().zip(values).all(|(p, v)| p.matches(v, Case::Sensitive))
                    && resource.like(values[5], context, Case::Sensitive)
            }),
            ArnPattern::Everything => true,
            ArnPattern::Components(patterns) => components(arn)
                .is_some_and(|values| patterns.iter().zip(values).all(|(p, v)| p.matches(v, Case::Sensitive))),
            ArnPattern::Template(template) => match template.resolve_units(context) {
                Some(units) => unit_components(&units).is_some_and(|patterns| {
                    components(arn).is_some_and(|values| {
                        patterns
                            .iter()
                            .zip(values)
                            .all(|(p, v)| glob::matches(p.iter().copied(), v, Case::Sensitive))
                    })
                }),
                None => false,
            },
            ArnPattern::Malformed(text) => text == arn,
        }
    }

    /// The template, when the pattern has policy variables.
    pub fn template(&self) -> Option<&Template> {
        match self {
            ArnPattern::Template(t) | ArnPattern::ResourceTemplate(_, t) => Some(t),
            _ => None,
        }
    }
}

/// Splits pattern units at their first five `:` characters.
fn unit_components(units: &[Unit]) -> Option<Vec<&[Unit]>> {
    let mut parts = units.splitn(6, |u| *u == Unit::Char(':'));
    let out: Vec<&[Unit]> = parts.by_ref().take(6).collect();
    (out.len() == 6).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, arn: &str) -> bool {
        ArnPattern::compile(pattern, true).matches(arn, &Context::new())
    }

    #[test]
    fn wildcards_stay_within_components() {
        assert!(m(
            "arn:aws:kms:*:111122223333:key/*",
            "arn:aws:kms:us-east-1:111122223333:key/1234"
        ));
        assert!(!m(
            "arn:aws:kms:*:111122223333:key/*",
            "arn:aws:kms:us-east-1:444455556666:key/1234"
        ));
        // The IAM guide's example: `*` in the resource component cannot reach back.
        assert!(!m(
            "arn:aws:someservice:*:111122223333:finance/*",
            "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
        ));
        assert!(m("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/a/b/test/c"));
        assert!(m("*", "anything"));
        assert!(!m("arn:aws:kms:*:*:key/*", "not-an-arn"));
    }

    #[test]
    fn resource_arns_are_case_sensitive() {
        assert!(!m(
            "arn:aws:kms:us-east-1:111122223333:key/ABC",
            "arn:aws:kms:us-east-1:111122223333:key/abc"
        ));
    }

    #[test]
    fn resource_variables_only_in_the_resource_component() {
        // §8.6: variables are substituted only after the fifth colon.
        let mut ctx = Context::new();
        ctx.insert_one("aws:username", "alice");
        ctx.insert_one("aws:PrincipalAccount", "111122223333");
        let p = ArnPattern::resource("arn:aws:s3:::bucket/${aws:username}/*", true);
        assert!(p.matches("arn:aws:s3:::bucket/alice/notes", &ctx));
        assert!(!p.matches("arn:aws:s3:::bucket/bob/notes", &ctx));
        assert!(!p.matches("arn:aws:s3:::bucket/alice/notes", &Context::new()));
        let in_account = ArnPattern::resource("arn:aws:kms:*:${aws:PrincipalAccount}:key/*", true);
        assert!(!in_account.matches("arn:aws:kms:eu-west-1:111122223333:key/k", &ctx));
    }

    #[test]
    fn condition_values_take_variables_anywhere() {
        let mut ctx = Context::new();
        ctx.insert_one("aws:PrincipalAccount", "111122223333");
        let p = ArnPattern::compile("arn:aws:kms:*:${aws:PrincipalAccount}:key/*", true);
        assert!(p.matches("arn:aws:kms:eu-west-1:111122223333:key/k", &ctx));
        assert!(!p.matches("arn:aws:kms:eu-west-1:111122223333:key/k", &Context::new()));
    }
}
