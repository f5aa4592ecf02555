//! Action patterns (`Get*`, `Describe?ey`) against catalogued names: `*` is
//! any text, `?` one character, letters compare without case.

/// Does `name` match `pattern`?
pub fn matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let same = |a: char, b: char| a == b || a.to_lowercase().eq(b.to_lowercase());
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        match p.get(i) {
            Some('*') => {
                star = Some((i + 1, j));
                i += 1;
            }
            Some(&c) if c == '?' || same(c, n[j]) => {
                i += 1;
                j += 1;
            }
            _ => match star {
                Some((after, from)) => {
                    i = after;
                    j = from + 1;
                    star = Some((after, from + 1));
                }
                None => return false,
            },
        }
    }
    p[i..].iter().all(|&c| c == '*')
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
