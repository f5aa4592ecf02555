//! `keyward repl` fed by a pipe or a file instead of a terminal: statements
//! are read line by line under the statement limit ([`MAX_LINE_BYTES`]), so
//! a huge line costs no more memory than the limit and is refused as one
//! statement, and a statement whose JSON is open goes on on the next line
//! as at the terminal, each line scanned once ([`Open`]). (The line editor's
//! own piped mode read any line whole, at about a second per megabyte.)

use std::io::{BufRead, ErrorKind, Write};

use super::command::{Open, MAX_LINE_BYTES};
use super::script::render_error;
use super::session::{Session, Step};
use super::ReplError;

/// Runs every statement of `input` until its end or `exit`.
pub(super) fn piped(session: &mut Session, mut input: impl BufRead, colour: bool) -> Result<(), ReplError> {
    let failed = |e: std::io::Error| ReplError::Failed(format!("standard input: {e}"));
    let mut statement = Vec::new();
    let mut open = Open::default();
    loop {
        let start = statement.len();
        if !statement.is_empty() {
            statement.push(b'\n');
        }
        let room = (MAX_LINE_BYTES + 1).saturating_sub(statement.len());
        let Some(length) = next_line(&mut input, room, &mut statement).map_err(failed)? else {
            statement.truncate(start);
            break;
        };
        let total = start + usize::from(start > 0) + length;
        if total > MAX_LINE_BYTES {
            let error = ReplError::Failed(format!(
                "the statement is {total} bytes long; at most {MAX_LINE_BYTES} are read"
            ));
            eprint!("{}", render_error(&error, colour));
            statement.clear();
            open = Open::default();
            continue;
        }
        if statement.ends_with(b"\r") {
            statement.pop();
        }
        open.feed(&String::from_utf8_lossy(&statement[start..]));
        if open.is_open() {
            continue;
        }
        let text = String::from_utf8_lossy(&statement).into_owned();
        statement.clear();
        if run(session, &text, colour) == Step::Exit {
            return Ok(());
        }
    }
    if !statement.is_empty() {
        run(session, &String::from_utf8_lossy(&statement), colour);
    }
    Ok(())
}

fn run(session: &mut Session, text: &str, colour: bool) -> Step {
    if text.trim().is_empty() {
        return Step::Done;
    }
    let mut out = std::io::stdout().lock();
    let step = match session.run_line(text, &mut out) {
        Ok(step) => step,
        Err(error) => {
            eprint!("{}", render_error(&error, colour));
            Step::Done
        }
    };
    let _ = out.flush();
    step
}

/// Reads one line (without its newline), keeping at most `room` of its
/// bytes in `kept`; its whole length, or `None` at the end of the input.
fn next_line(input: &mut impl BufRead, room: usize, kept: &mut Vec<u8>) -> std::io::Result<Option<usize>> {
    let mut length = 0;
    let mut any = false;
    loop {
        let buffer = match input.fill_buf() {
            Ok(buffer) => buffer,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buffer.is_empty() {
            return Ok(any.then_some(length));
        }
        any = true;
        let (chunk, used, done) = match buffer.iter().position(|&b| b == b'\n') {
            Some(i) => (&buffer[..i], i + 1, true),
            None => (buffer, buffer.len(), false),
        };
        let keep = chunk.len().min(room.saturating_sub(length));
        kept.extend_from_slice(&chunk[..keep]);
        length += chunk.len();
        input.consume(used);
        if done {
            return Ok(Some(length));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_past_its_room_keeps_the_room_and_counts_the_rest() {
        let mut input = &b"abcdef\nxy"[..];
        let mut kept = Vec::new();
        assert_eq!(next_line(&mut input, 3, &mut kept).unwrap(), Some(6));
        assert_eq!(kept, b"abc");
        kept.clear();
        assert_eq!(next_line(&mut input, 3, &mut kept).unwrap(), Some(2));
        assert_eq!(kept, b"xy");
        assert_eq!(next_line(&mut input, 3, &mut kept).unwrap(), None);
    }
}
