//! A form-encoded body (`application/x-www-form-urlencoded`), as STS's
//! Query protocol sends its parameters: `Action=AssumeRole&RoleArn=arn%3A…`.
//! Names and values are percent-decoded (`+` is a space); a parameter given
//! twice is an error, as is text that does not decode to UTF-8.

use std::collections::BTreeMap;

use super::error::WireError;

/// The parameters of one request, by name.
#[derive(Debug, Default)]
pub struct Form(BTreeMap<String, String>);

fn decode(text: &str) -> Result<String, WireError> {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| WireError::client("MalformedQueryString", "a form parameter does not decode to UTF-8"))
}

impl Form {
    pub fn parse(body: &[u8]) -> Result<Form, WireError> {
        let text = std::str::from_utf8(body)
            .map_err(|_| WireError::client("MalformedQueryString", "the form body is not UTF-8"))?;
        let mut fields = BTreeMap::new();
        for pair in text.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name)?;
            if fields.contains_key(&name) {
                return Err(WireError::client(
                    "MalformedQueryString",
                    format!(
                        "the parameter `{}` is given twice",
                        name.chars().take(64).collect::<String>()
                    ),
                ));
            }
            fields.insert(name, decode(value)?);
        }
        Ok(Form(fields))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Whether any parameter's name starts with `prefix` (`Tags.member.`).
    pub fn has_prefixed(&self, prefix: &str) -> bool {
        self.0.keys().any(|k| k.starts_with(prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_are_percent_decoded_and_plus_is_a_space() {
        let form = Form::parse(
            b"Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp&RoleSessionName=a+b",
        )
        .unwrap();
        assert_eq!(form.get("Action"), Some("AssumeRole"));
        assert_eq!(form.get("RoleArn"), Some("arn:aws:iam::111122223333:role/app"));
        assert_eq!(form.get("RoleSessionName"), Some("a b"));
        assert_eq!(form.get("Missing"), None);
    }

    #[test]
    fn a_repeated_parameter_and_bad_utf_8_are_refused() {
        assert_eq!(Form::parse(b"A=1&A=2").unwrap_err().name, "MalformedQueryString");
        assert_eq!(Form::parse(b"A=%FF").unwrap_err().name, "MalformedQueryString");
        assert_eq!(Form::parse(&[0xff]).unwrap_err().name, "MalformedQueryString");
    }
}
