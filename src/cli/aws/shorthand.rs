//! The AWS CLI's shorthand syntax, untyped: `Key=v,Other={k=v},List=[a,b]`
//! becomes a JSON object of strings, objects and lists; the model gives the
//! values their types afterwards (`request::coerce`). A bare value followed
//! by `,x` where `x` is not `name=` continues as a list (`Operations=Encrypt,Decrypt`).
//! Values may be quoted with `'…'` or `"…"` to hold `,`, `=` or brackets.

use serde_json::{Map, Value};

/// Parses `text` as `name=value` pairs.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut parser = Parser {
        chars: text.chars().collect(),
        at: 0,
    };
    let object = parser.pairs(None)?;
    if parser.at < parser.chars.len() {
        return Err(parser.error("expected `,` between `name=value` pairs"));
    }
    Ok(object)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

const SPECIAL: [char; 5] = [',', '=', '{', '}', '['];

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn error(&self, message: &str) -> String {
        let before: String = self.chars[..self.at.min(self.chars.len())].iter().collect();
        format!("{message} (after `{before}`)")
    }

    /// `name=value` pairs up to `close` (or the end).
    fn pairs(&mut self, close: Option<char>) -> Result<Value, String> {
        let mut object = Map::new();
        loop {
            self.skip_spaces();
            if self.peek() == close {
                break;
            }
            let name = self.name()?;
            if self.peek() != Some('=') {
                return Err(self.error(&format!("expected `=` after `{name}`")));
            }
            self.at += 1;
            let value = self.value(close, true)?;
            object.insert(name, value);
            self.skip_spaces();
            match self.peek() {
                Some(',') => self.at += 1,
                c if c == close => break,
                _ => return Err(self.error("expected `,` between `name=value` pairs")),
            }
        }
        Ok(Value::Object(object))
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn name(&mut self) -> Result<String, String> {
        if let Some(quote @ ('"' | '\'')) = self.peek() {
            return self.quoted(quote);
        }
        let start = self.at;
        while self.peek().is_some_and(|c| !SPECIAL.contains(&c) && c != ']') {
            self.at += 1;
        }
        let name: String = self.chars[start..self.at].iter().collect();
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(self.error("expected a `name=value` pair"));
        }
        Ok(name)
    }

    /// A value; `continues` lets a bare value run on as a list through
    /// commas that are not followed by `name=`.
    fn value(&mut self, close: Option<char>, continues: bool) -> Result<Value, String> {
        self.skip_spaces();
        let first = match self.peek() {
            Some('{') => {
                self.at += 1;
                let object = self.pairs(Some('}'))?;
                self.expect('}')?;
                return Ok(object);
            }
            Some('[') => {
                self.at += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_spaces();
                    if self.peek() == Some(']') {
                        break;
                    }
                    items.push(self.value(Some(']'), false)?);
                    self.skip_spaces();
                    match self.peek() {
                        Some(',') => self.at += 1,
                        Some(']') => break,
                        _ => return Err(self.error("expected `,` or `]` in a list")),
                    }
                }
                self.expect(']')?;
                return Ok(Value::Array(items));
            }
            Some(quote @ ('"' | '\'')) => self.quoted(quote)?,
            _ => self.bare(close),
        };
        if !continues {
            return Ok(Value::String(first));
        }
        let mut items = vec![Value::String(first)];
        while self.peek() == Some(',') && !self.pair_follows() {
            self.at += 1;
            let next = match self.peek() {
                Some(quote @ ('"' | '\'')) => self.quoted(quote)?,
                _ => self.bare(close),
            };
            items.push(Value::String(next));
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Value::Null)
        } else {
            Value::Array(items)
        })
    }

    /// After a `,`: is the next thing a `name=`?
    fn pair_follows(&self) -> bool {
        let rest = &self.chars[self.at + 1..];
        for &c in rest {
            match c {
                '=' => return true,
                ',' | '{' | '}' | '[' | ']' => return false,
                _ => {}
            }
        }
        false
    }

    /// Characters up to `,` or the closing bracket.
    fn bare(&mut self, close: Option<char>) -> String {
        let start = self.at;
        while let Some(c) = self.peek() {
            if c == ',' || Some(c) == close {
                break;
            }
            self.at += 1;
        }
        let text: String = self.chars[start..self.at].iter().collect();
        text.trim_end().to_owned()
    }

    fn quoted(&mut self, quote: char) -> Result<String, String> {
        self.at += 1;
        let mut text = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error(&format!("a value quoted with {quote} does not end"))),
                Some('\\') if matches!(self.chars.get(self.at + 1), Some(&c) if c == quote || c == '\\') => {
                    text.push(self.chars[self.at + 1]);
                    self.at += 2;
                }
                Some(c) if c == quote => {
                    self.at += 1;
                    return Ok(text);
                }
                Some(c) => {
                    text.push(c);
                    self.at += 1;
                }
            }
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{c}`")))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::parse;

    // https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-shorthand.html
    #[test]
    fn pairs_nested_structures_and_lists_parse_as_the_aws_cli_documents() {
        assert_eq!(
            parse("TagKey=env,TagValue=dev").unwrap(),
            json!({"TagKey": "env", "TagValue": "dev"})
        );
        assert_eq!(
            parse("EncryptionContextSubset={dept=eng,team=a}").unwrap(),
            json!({"EncryptionContextSubset": {"dept": "eng", "team": "a"}})
        );
        assert_eq!(
            parse("Ops=[Encrypt,Decrypt],X=1").unwrap(),
            json!({"Ops": ["Encrypt", "Decrypt"], "X": "1"})
        );
        assert_eq!(
            parse("Ops=Encrypt,Decrypt,X=1").unwrap(),
            json!({"Ops": ["Encrypt", "Decrypt"], "X": "1"})
        );
    }

    #[test]
    fn quoted_values_and_values_with_equals_signs_keep_their_text() {
        assert_eq!(parse("k='a,b=c'").unwrap(), json!({"k": "a,b=c"}));
        assert_eq!(parse(r#"k="say \"hi\"""#).unwrap(), json!({"k": "say \"hi\""}));
        assert_eq!(parse("Token=abc==").unwrap(), json!({"Token": "abc=="}));
        assert_eq!(
            parse("SourceArn=arn:aws:s3:::bucket/x").unwrap(),
            json!({"SourceArn": "arn:aws:s3:::bucket/x"})
        );
    }

    #[test]
    fn malformed_shorthand_is_an_error_not_a_guess() {
        assert!(parse("TagKey").is_err());
        assert!(parse("k={a=b").is_err());
        assert!(parse("k='open").is_err());
        assert!(parse("=v").is_err());
    }
}
