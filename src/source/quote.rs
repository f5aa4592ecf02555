//! Messages quote user input in backticks (`` unknown action `kms:Decrpyt` ``);
//! [`shorten`] keeps such quotes readable when the input is huge (a 1 MB key
//! name), so no message is longer than a screen whatever the document.

use std::borrow::Cow;

use super::{ceil_char_boundary, floor_char_boundary};

/// The longest quote kept whole, in bytes.
pub const QUOTE_CAP: usize = 160;

/// The longest message kept whole, in bytes.
pub const MESSAGE_CAP: usize = 2_000;

/// `text` with every backtick-quoted run over `QUOTE_CAP` bytes cut to its
/// start and end around `…`, and the whole cut at `MESSAGE_CAP`.
pub fn shorten(text: &str) -> Cow<'_, str> {
    let long_quote = text.split('`').skip(1).step_by(2).any(|q| q.len() > QUOTE_CAP);
    if !long_quote && text.len() <= MESSAGE_CAP {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(MESSAGE_CAP + 16));
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 && part.len() > QUOTE_CAP {
            let head = floor_char_boundary(part, QUOTE_CAP - 64);
            let tail = ceil_char_boundary(part, part.len() - 24);
            out.push_str(&part[..head]);
            out.push_str(&format!("…({} bytes)…", part.len()));
            out.push_str(&part[tail..]);
        } else {
            out.push_str(part);
        }
        if out.len() > MESSAGE_CAP {
            break;
        }
    }
    if out.len() > MESSAGE_CAP {
        let cut = floor_char_boundary(&out, MESSAGE_CAP);
        out.truncate(cut);
        out.push('…');
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_messages_are_unchanged() {
        assert!(matches!(shorten("unknown action `kms:Decrpyt`"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_huge_quote_keeps_its_ends_and_says_its_size() {
        let key = format!("start{}end", "é".repeat(500_000));
        let message = format!("duplicate key `{key}` in an object");
        let short = shorten(&message);
        assert!(short.len() < 300, "{}", short.len());
        assert!(short.starts_with("duplicate key `start"));
        assert!(short.ends_with("end` in an object"));
        assert!(short.contains(&format!("({} bytes)", key.len())));
    }

    #[test]
    fn shortening_twice_changes_nothing() {
        let message = format!("key `{}`", "x".repeat(10_000));
        let once = shorten(&message).into_owned();
        assert_eq!(shorten(&once), once);
    }

    #[test]
    fn a_huge_message_is_cut() {
        let message = "word ".repeat(10_000);
        assert!(shorten(&message).len() <= MESSAGE_CAP + '…'.len_utf8());
    }
}
