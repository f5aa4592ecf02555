//! Action patterns (`Get*`, `Describe?ey`) against catalogued names: `*` is
//! any text, `?` one character, letters compare without case.

/// Does `name` match `pattern`?
pub fn matches(pattern: &str, name: &str) -> bool {
    if pattern.is_ascii() && name.is_ascii() {
        return matches_in(
            pattern.as_bytes(),
            name.as_bytes(),
            |a, b| a.eq_ignore_ascii_case(&b),
            b'*',
            b'?',
        );
    }
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    matches_in(&p, &n, |a, b| a == b || a.to_lowercase().eq(b.to_lowercase()), '*', '?')
}

/// The linear wildcard algorithm, over bytes or characters.
fn matches_in<T: Copy + PartialEq>(p: &[T], n: &[T], same: impl Fn(T, T) -> bool, star: T, one: T) -> bool {
    let (mut i, mut j) = (0, 0);
    let mut back: Option<(usize, usize)> = None;
    while j < n.len() {
        match p.get(i) {
            Some(&c) if c == star => {
                back = Some((i + 1, j));
                i += 1;
            }
            Some(&c) if c == one || same(c, n[j]) => {
                i += 1;
                j += 1;
            }
            _ => match back {
                Some((after, from)) => {
                    i = after;
                    j = from + 1;
                    back = Some((after, from + 1));
                }
                None => return false,
            },
        }
    }
    p[i..].iter().all(|&c| c == star)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn stars_questions_and_case() {
        assert!(matches("Get*", "GetKeyPolicy") && matches("get*", "GetKeyPolicy"));
        assert!(matches("*", "") && matches("De?rypt", "Decrypt"));
        assert!(!matches("Get*", "ListKeys") && !matches("Decrypt", "Decrypts"));
        assert!(matches("*Key*Policy", "PutKeyPolicy"));
    }
}
