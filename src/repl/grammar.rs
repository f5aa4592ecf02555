//! The pest parser of `grammar/repl.pest`, and the words of its keyword
//! and punctuation rules, for "expected …" messages and suggestions.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/repl.pest"]
pub(super) struct ReplParser;

/// How a rule reads in a message: its keyword or punctuation in
/// backticks, or what it stands for.
pub(super) fn display(rule: Rule) -> Option<String> {
    let name = format!("{rule:?}");
    if let Some(keyword) = name.strip_prefix("kw_") {
        return Some(format!("`{}`", keyword.replace('_', "-")));
    }
    Some(
        match rule {
            Rule::equals => "`=`",
            Rule::comma => "`,`",
            Rule::quote => "`\"`",
            Rule::EOI => "the end of the line",
            Rule::variable => "a `$name`",
            Rule::string => "a quoted string",
            Rule::json | Rule::bare => "a value",
            Rule::pair => "`key=value`",
            Rule::number => "a number",
            Rule::duration => "a duration such as `7d` or `12h`",
            Rule::name => "a name",
            Rule::word => "a word",
            _ => return None,
        }
        .to_owned(),
    )
}

/// The keyword a rule matches, if it is a keyword rule.
pub(super) fn keyword(rule: Rule) -> Option<String> {
    format!("{rule:?}").strip_prefix("kw_").map(|k| k.replace('_', "-"))
}
