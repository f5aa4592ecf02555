//! Wildcard matching (`*` any run, `?` one character) without allocation.
//!
//! A pattern is a stream of [`Unit`]s, so a pattern assembled from pieces —
//! literal text whose `*` and `?` are wildcards, and substituted policy
//! variables whose `*` and `?` are not — is matched without being built.

/// One element of a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// This exact character.
    Char(char),
    /// Any one character (`?`).
    One,
    /// Any run of characters, possibly empty (`*`).
    Any,
}

/// How characters compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    Sensitive,
    /// Unicode simple lowercase folding on both sides.
    Insensitive,
}

/// Units of a text in which `*` and `?` are wildcards.
pub fn wild(text: &str) -> impl Iterator<Item = Unit> + Clone + '_ {
    text.chars().map(|c| match c {
        '*' => Unit::Any,
        '?' => Unit::One,
        c => Unit::Char(c),
    })
}

/// Units of a text taken literally.
pub fn literal(text: &str) -> impl Iterator<Item = Unit> + Clone + '_ {
    text.chars().map(Unit::Char)
}

fn same(a: char, b: char, case: Case) -> bool {
    a == b
        || (case == Case::Insensitive
            // ASCII folds to ASCII, and only ASCII folds to ASCII letters
            // (`K`, the Kelvin sign, folds to `k`: it takes the Unicode path).
            && if a.is_ascii() && b.is_ascii() {
                a.eq_ignore_ascii_case(&b)
            } else {
                a.to_lowercase().eq(b.to_lowercase())
            })
}

/// Does `value` match the pattern? The classic linear algorithm: on a
/// mismatch, retry from the last `*` with it swallowing one more character.
pub fn matches<P>(pattern: P, value: &str, case: Case) -> bool
where
    P: Iterator<Item = Unit> + Clone,
{
    let mut p = pattern;
    let mut v = value.chars();
    // Where to resume after the last `*`: the pattern after it, and the value
    // from the position the `*` currently stops at.
    let mut backtrack: Option<(P, std::str::Chars<'_>)> = None;
    loop {
        let mut p_next = p.clone();
        let unit = p_next.next();
        let mut v_next = v.clone();
        let c = v_next.next();
        match (unit, c) {
            (Some(Unit::Any), _) => {
                backtrack = Some((p_next.clone(), v.clone()));
                p = p_next;
            }
            (Some(Unit::One), Some(_)) => {
                p = p_next;
                v = v_next;
            }
            (Some(Unit::Char(x)), Some(y)) if same(x, y, case) => {
                p = p_next;
                v = v_next;
            }
            (None, None) => return true,
            _ => match backtrack.as_mut() {
                // Let the last `*` take one more character and try again.
                Some((after_star, star_value)) => {
                    if star_value.next().is_none() {
                        return false;
                    }
                    p = after_star.clone();
                    v = star_value.clone();
                }
                None => return false,
            },
        }
    }
}

/// A text with `*` and `?` wildcards, classified once so that matching
/// takes the shortest way: everything, exact text, or ASCII globbing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    text: Box<str>,
    shape: Shape,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Everything,
    Exact,
    AsciiGlob,
    Glob,
}

impl Pattern {
    pub fn new(text: &str) -> Pattern {
        let shape = if text == "*" {
            Shape::Everything
        } else if !text.contains(['*', '?']) {
            Shape::Exact
        } else if text.is_ascii() {
            Shape::AsciiGlob
        } else {
            Shape::Glob
        };
        Pattern {
            text: text.into(),
            shape,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn matches(&self, value: &str, case: Case) -> bool {
        match (self.shape, case) {
            (Shape::Everything, _) => true,
            (Shape::Exact, Case::Sensitive) => *self.text == *value,
            (Shape::Exact, Case::Insensitive) if value.is_ascii() => self.text.eq_ignore_ascii_case(value),
            (Shape::AsciiGlob, _) if value.is_ascii() => matches_ascii(self.text.as_bytes(), value.as_bytes(), case),
            (Shape::Exact, _) => equals(literal(&self.text), value, case),
            _ => matches(wild(&self.text), value, case),
        }
    }
}

/// Does `value` match `pattern`, in which `*` and `?` are wildcards? The
/// common cases take short cuts: no wildcard at all, a lone `*`, and ASCII
/// text, which is matched byte by byte.
pub fn matches_wild(pattern: &str, value: &str, case: Case) -> bool {
    if pattern == "*" {
        return true;
    }
    if !pattern.contains(['*', '?']) {
        return match case {
            Case::Sensitive => pattern == value,
            Case::Insensitive if pattern.is_ascii() && value.is_ascii() => pattern.eq_ignore_ascii_case(value),
            Case::Insensitive => equals(literal(pattern), value, case),
        };
    }
    if pattern.is_ascii() && value.is_ascii() {
        return matches_ascii(pattern.as_bytes(), value.as_bytes(), case);
    }
    matches(wild(pattern), value, case)
}

/// The linear wildcard algorithm over ASCII bytes.
fn matches_ascii(pattern: &[u8], value: &[u8], case: Case) -> bool {
    let same = |a: u8, b: u8| a == b || (case == Case::Insensitive && a.eq_ignore_ascii_case(&b));
    let (mut p, mut v) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while v < value.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p + 1, v));
                p += 1;
            }
            Some(b'?') => {
                p += 1;
                v += 1;
            }
            Some(&c) if same(c, value[v]) => {
                p += 1;
                v += 1;
            }
            _ => match star {
                Some((after, from)) => {
                    p = after;
                    v = from + 1;
                    star = Some((after, from + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Exact comparison of the whole value against literal units (no wildcards
/// in play, e.g. `StringEquals` with variables substituted).
pub fn equals<P>(pattern: P, value: &str, case: Case) -> bool
where
    P: Iterator<Item = Unit> + Clone,
{
    let mut v = value.chars();
    for unit in pattern {
        let expected = match unit {
            Unit::Char(c) => c,
            Unit::One => '?',
            Unit::Any => '*',
        };
        match v.next() {
            Some(c) if same(expected, c, case) => {}
            _ => return false,
        }
    }
    v.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, value: &str) -> bool {
        matches(wild(pattern), value, Case::Sensitive)
    }

    #[test]
    fn stars_and_questions() {
        assert!(m("*", ""));
        assert!(m("*", "anything"));
        assert!(m("kms:*", "kms:Decrypt"));
        assert!(m("kms:*Grant*", "kms:CreateGrant"));
        assert!(m("kms:*Grant*", "kms:ListGrants"));
        assert!(!m("kms:*Grant*", "kms:Decrypt"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("*a*b*c*", "xxaxxbxxcxx"));
        assert!(!m("*a*b*c*", "xxaxxcxxbxx"));
        assert!(m("bucket/*/test/*", "bucket/x/y/test/z"));
        assert!(!m("abc", "abcd"));
        assert!(m("é?*", "éàü"));
    }

    #[test]
    fn ignoring_case_folds_ascii_fast_and_the_rest_by_unicode() {
        let i = |pattern: &str, value: &str| matches(wild(pattern), value, Case::Insensitive);
        assert!(i("KMS:decrypt", "kms:Decrypt"));
        assert!(i("kms:de*", "KMS:DECRYPT"));
        assert!(!i("kms:Decrypt", "kms:Encrypt"));
        // The Kelvin sign folds to an ASCII `k`; `É` to `é`.
        assert!(i("\u{212A}ms:*", "kms:Decrypt"));
        assert!(i("kms:*", "\u{212A}MS:Decrypt"));
        assert!(i("ÉTÉ", "été"));
        assert!(!i("[", "{"));
    }

    #[test]
    fn the_short_cuts_agree_with_the_general_algorithm() {
        let patterns = [
            "*",
            "kms:*",
            "kms:De*",
            "kms:Decrypt",
            "KMS:DECRYPT",
            "*a*b*",
            "a?c",
            "é*",
            "**",
            "?",
            "",
            "x*y*z",
        ];
        let values = [
            "",
            "kms:Decrypt",
            "kms:decrypt",
            "abc",
            "axxb",
            "ac",
            "éa",
            "xyz",
            "xaybz",
            "a",
        ];
        for p in patterns {
            for v in values {
                for case in [Case::Sensitive, Case::Insensitive] {
                    assert_eq!(
                        matches_wild(p, v, case),
                        matches(wild(p), v, case),
                        "{p:?} {v:?} {case:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn case_insensitive_matching() {
        assert!(matches(wild("KMS:decrypt"), "kms:Decrypt", Case::Insensitive));
        assert!(!matches(wild("KMS:decrypt"), "kms:Decrypt", Case::Sensitive));
    }

    #[test]
    fn literal_units_do_not_wildcard() {
        assert!(!matches(literal("a*"), "abc", Case::Sensitive));
        assert!(matches(literal("a*"), "a*", Case::Sensitive));
        assert!(matches(
            wild("x-").chain(literal("*")).chain(wild("*")),
            "x-*yz",
            Case::Sensitive
        ));
        assert!(!matches(
            wild("x-").chain(literal("*")).chain(wild("*")),
            "x-yz",
            Case::Sensitive
        ));
        assert!(equals(literal("a*"), "a*", Case::Sensitive));
        assert!(!equals(literal("a"), "ab", Case::Sensitive));
    }

    #[test]
    fn pathological_patterns_stay_linear_enough() {
        let value = "a".repeat(2000);
        let pattern = format!("{}b", "*a".repeat(50));
        assert!(!m(&pattern, &value));
    }
}
