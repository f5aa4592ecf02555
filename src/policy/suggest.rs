//! "Did you mean …?" for misspelt element names, operators and operations.

/// Names longer than this get no suggestion.
const MAX_SUGGESTIBLE: usize = 80;

/// The candidate closest to `name`: an exact match ignoring case first, then
/// the nearest by edit distance if it is close enough to be a typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // Edit distance is quadratic: a name far longer than any element or
    // operator cannot be a typo of one, so do not measure it (a 100 KB key
    // would otherwise cost seconds).
    if name.len() > MAX_SUGGESTIBLE {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    let mut best: Option<(&str, f64)> = None;
    for candidate in candidates {
        if candidate.to_ascii_lowercase() == lower {
            return Some(candidate);
        }
        // A score of 0.7 or more needs lengths within 30% of each other.
        let (a, b) = (name.len() as f64, candidate.len() as f64);
        if (a - b).abs() > 0.3 * a.max(b) {
            continue;
        }
        let score = strsim::normalized_damerau_levenshtein(&lower, &candidate.to_ascii_lowercase());
        if score >= 0.7 && best.is_none_or(|(_, s)| score > s) {
            best = Some((candidate, score));
        }
    }
    best.map(|(c, _)| c)
}

/// `did you mean `X`?` or, with no close candidate, a list of what is valid.
pub fn help(name: &str, candidates: &[&str], what: &str) -> String {
    match closest(name, candidates.iter().copied()) {
        Some(c) => format!("did you mean `{c}`?"),
        None => format!("{what} are {}", list(candidates)),
    }
}

/// "`A`, `B` and `C`".
pub fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses() {
        let elements = [
            "Sid",
            "Effect",
            "Principal",
            "NotPrincipal",
            "Action",
            "NotAction",
            "Resource",
            "NotResource",
            "Condition",
        ];
        assert_eq!(closest("Efect", elements), Some("Effect"));
        assert_eq!(closest("Actions", elements), Some("Action"));
        assert_eq!(closest("Principals", elements), Some("Principal"));
        assert_eq!(closest("effect", elements), Some("Effect"));
        assert_eq!(closest("Banana", elements), None);
    }
}
