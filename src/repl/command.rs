//! A line of the command language read into a [`Statement`]: pest's tree
//! (`grammar/repl.pest`) becomes one [`Command`] whose operands keep their
//! spans, so whatever goes wrong later can point back into the line.

use std::collections::BTreeMap;

use pest::iterators::Pair;
use pest::Parser as _;

use super::diagnostics::{self, Line, ReplError};
use super::grammar::{ReplParser, Rule};
use crate::source::Span;

/// Lines longer than this are refused before they are parsed.
pub const MAX_LINE_BYTES: usize = 256 * 1024;

/// An operand as written, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operand {
    pub value: Written,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Written {
    /// `$name`: a result kept with `let`.
    Variable(String),
    /// A bare word or a quoted string, unescaped.
    Text(String),
    /// A JSON object, as written.
    Json(String),
}

/// `k=v` pairs: an encryption context or a grant constraint.
pub type Pairs = BTreeMap<String, String>;

/// The options every cryptographic operation takes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CryptoOptions {
    pub context: Pairs,
    pub grant_tokens: Vec<Operand>,
}

/// What `expect` expects of the statement before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expectation {
    Allow,
    Deny,
    Error,
}

impl Expectation {
    pub fn as_str(self) -> &'static str {
        match self {
            Expectation::Allow => "allow",
            Expectation::Deny => "deny",
            Expectation::Error => "error",
        }
    }
}

/// One command of the language; see `help` for each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    KeyCreate {
        /// `spec SPEC [usage USAGE]`: `KeySpec` and `KeyUsage` as written.
        kind: Option<(String, Option<String>)>,
        description: Option<Operand>,
        policy: Option<Operand>,
        bypass: bool,
    },
    KeyList,
    KeyDescribe(Operand),
    KeyEnable(Operand),
    KeyDisable(Operand),
    KeyScheduleDeletion {
        key: Operand,
        days: Option<i64>,
    },
    KeyCancelDeletion(Operand),
    KeyRotate(Operand),
    KeyEnableRotation {
        key: Operand,
        days: Option<i64>,
    },
    KeyDisableRotation(Operand),
    KeyRotations(Operand),
    AliasCreate {
        name: Operand,
        key: Operand,
    },
    AliasUpdate {
        name: Operand,
        key: Operand,
    },
    AliasDelete(Operand),
    AliasList(Option<Operand>),
    PolicyGet(Operand),
    PolicyPut {
        key: Operand,
        policy: Operand,
        bypass: bool,
    },
    GrantCreate {
        key: Operand,
        grantee: Operand,
        operations: Vec<String>,
        context_equals: Option<Pairs>,
        context_subset: Option<Pairs>,
        retiring: Option<Operand>,
        name: Option<Operand>,
    },
    GrantList(Operand),
    GrantRevoke {
        key: Operand,
        grant: Operand,
    },
    GrantRetire(Operand),
    Encrypt {
        key: Operand,
        plaintext: Operand,
        options: CryptoOptions,
    },
    Decrypt {
        ciphertext: Operand,
        key: Option<Operand>,
        options: CryptoOptions,
    },
    ReEncrypt {
        ciphertext: Operand,
        source_context: Pairs,
        key: Operand,
        destination_context: Option<Pairs>,
    },
    GenerateDataKey {
        key: Operand,
        key_spec: Option<String>,
        bytes: Option<i64>,
        options: CryptoOptions,
        with_plaintext: bool,
    },
    Seal {
        plaintext: Operand,
        keys: Vec<Operand>,
        context: Pairs,
    },
    Open {
        sealed: Operand,
        context: Pairs,
    },
    Call {
        operation: String,
        span: Span,
        request: Option<Operand>,
    },
    Accounts(Operand),
    As {
        principal: Operand,
        via: Option<Operand>,
    },
    Whoami,
    Simulate {
        action: String,
        key: Operand,
        principal: Option<Operand>,
        via: Option<Operand>,
        context: Pairs,
    },
    Explain,
    ClockShow,
    ClockSet {
        time: String,
        span: Span,
    },
    ClockAdvance {
        seconds: i64,
    },
    Audit(Option<usize>),
    Lint(Operand),
    Show {
        name: String,
        span: Span,
        reveal: bool,
    },
    Expect(Expectation),
    Help(Option<String>),
    Exit,
}

/// A command, perhaps kept under a name, with the line it was read from.
#[derive(Clone, Debug)]
pub struct Statement {
    pub bind: Option<String>,
    pub command: Command,
    pub line: Line,
}

impl Statement {
    /// Reads one statement; `None` for a blank or comment-only line.
    pub fn parse(text: &str) -> Result<Option<Statement>, ReplError> {
        if text.len() > MAX_LINE_BYTES {
            return Err(ReplError::Failed(format!(
                "the statement is {} bytes long; at most {MAX_LINE_BYTES} are read",
                text.len()
            )));
        }
        let mut pairs = ReplParser::parse(Rule::line, text).map_err(|e| diagnostics::syntax(text, &e))?;
        let line = diagnostics::line(text);
        let Some(first) = pairs.next().filter(|p| p.as_rule() != Rule::EOI) else {
            return Ok(None);
        };
        let (bind, command) = if first.as_rule() == Rule::bind {
            let mut inner = first.into_inner();
            let _let = inner.next();
            let name = inner.next().map(|n| n.as_str().to_owned());
            let _equals = inner.next();
            (name, inner.next())
        } else {
            (None, Some(first))
        };
        // The grammar puts a command after every `let NAME =`.
        let command = command
            .map(read)
            .ok_or_else(|| ReplError::Failed("a `let` without a command".into()))?;
        Ok(Some(Statement { bind, command, line }))
    }
}

fn span(pair: &Pair<'_, Rule>) -> Span {
    Span::new(pair.as_span().start(), pair.as_span().end())
}

/// The children of a pair that are not keywords or punctuation.
fn parts(pair: Pair<'_, Rule>) -> Vec<Pair<'_, Rule>> {
    pair.into_inner()
        .filter(|p| {
            !matches!(p.as_rule(), Rule::comma | Rule::equals) && super::grammar::keyword(p.as_rule()).is_none()
        })
        .collect()
}

fn operand(pair: Pair<'_, Rule>) -> Operand {
    let span = span(&pair);
    let value = match pair.as_rule() {
        Rule::variable => Written::Variable(pair.as_str()[1..].to_owned()),
        Rule::string => Written::Text(unquote(pair.as_str())),
        Rule::json => Written::Json(pair.as_str().to_owned()),
        _ => Written::Text(pair.as_str().to_owned()),
    };
    Operand { value, span }
}

/// The text of a quoted string, escapes decoded.
fn unquote(quoted: &str) -> String {
    let body = quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(quoted);
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn number(pair: &Pair<'_, Rule>) -> i64 {
    // The grammar allows at most 12 digits.
    pair.as_str().parse().unwrap_or(i64::MAX)
}

fn pairs(pair: Pair<'_, Rule>) -> Pairs {
    parts(pair)
        .into_iter()
        .map(|p| {
            let mut inner = p.into_inner().filter(|x| x.as_rule() != Rule::equals);
            let key = inner.next().map(|k| k.as_str().to_owned()).unwrap_or_default();
            let value = inner
                .next()
                .map(|v| {
                    if v.as_rule() == Rule::string {
                        unquote(v.as_str())
                    } else {
                        v.as_str().to_owned()
                    }
                })
                .unwrap_or_default();
            (key, value)
        })
        .collect()
}

/// The operands and options of a command, in order.
struct Args<'i> {
    items: std::vec::IntoIter<Pair<'i, Rule>>,
    options: Vec<Pair<'i, Rule>>,
}

impl<'i> Args<'i> {
    fn of(pair: Pair<'i, Rule>) -> Args<'i> {
        let (operands, options): (Vec<_>, Vec<_>) = parts(pair).into_iter().partition(|p| {
            matches!(
                p.as_rule(),
                Rule::variable | Rule::string | Rule::json | Rule::bare | Rule::word
            )
        });
        Args {
            items: operands.into_iter(),
            options,
        }
    }

    /// The next operand; the grammar guarantees the ones a command needs.
    fn next(&mut self) -> Operand {
        self.items.next().map(operand).unwrap_or(Operand {
            value: Written::Text(String::new()),
            span: Span::new(0, 0),
        })
    }

    fn rest(&mut self) -> Vec<Operand> {
        self.items.by_ref().map(operand).collect()
    }

    fn option(&self, rule: Rule) -> Option<Pair<'i, Rule>> {
        self.options.iter().find(|p| p.as_rule() == rule).cloned()
    }

    fn has(&self, rule: Rule) -> bool {
        self.option(rule).is_some()
    }

    fn operand_of(&self, rule: Rule) -> Option<Operand> {
        self.option(rule).and_then(|p| parts(p).into_iter().next()).map(operand)
    }

    fn number_of(&self, rule: Rule) -> Option<i64> {
        self.option(rule)
            .and_then(|p| parts(p).into_iter().next())
            .map(|n| number(&n))
    }

    fn pairs_of(&self, rule: Rule) -> Option<Pairs> {
        self.option(rule).map(pairs)
    }

    fn crypto(&self) -> CryptoOptions {
        CryptoOptions {
            context: self.pairs_of(Rule::context).unwrap_or_default(),
            grant_tokens: self
                .options
                .iter()
                .filter(|p| p.as_rule() == Rule::token)
                .filter_map(|p| parts(p.clone()).into_iter().next())
                .map(operand)
                .collect(),
        }
    }
}

/// The command a `command` pair (one of its alternatives) stands for.
fn read(pair: Pair<'_, Rule>) -> Command {
    let rule = pair.as_rule();
    // Groups (`key create …`) hold one sub-command pair.
    let pair = match rule {
        Rule::key | Rule::alias | Rule::policy | Rule::grant | Rule::clock => {
            match parts(pair.clone()).into_iter().next() {
                Some(sub) => sub,
                None => pair,
            }
        }
        _ => pair,
    };
    let rule = pair.as_rule();
    let text_of = |p: &Pair<'_, Rule>| {
        parts(p.clone())
            .into_iter()
            .next()
            .map(|w| (w.as_str().to_owned(), span(&w)))
    };
    let first_word = text_of(&pair);
    if rule == Rule::expect {
        return Command::Expect(match pair.into_inner().last().map(|p| p.as_rule()) {
            Some(Rule::kw_allow) => Expectation::Allow,
            Some(Rule::kw_deny) => Expectation::Deny,
            _ => Expectation::Error,
        });
    }
    let mut a = Args::of(pair);
    match rule {
        Rule::key_create => Command::KeyCreate {
            kind: a.option(Rule::key_kind).map(|k| {
                let words: Vec<String> = parts(k)
                    .into_iter()
                    .filter(|w| w.as_rule() == Rule::word)
                    .map(|w| w.as_str().to_owned())
                    .collect();
                (words.first().cloned().unwrap_or_default(), words.get(1).cloned())
            }),
            description: a.operand_of(Rule::description),
            policy: a.operand_of(Rule::policy_source),
            bypass: a.has(Rule::bypass),
        },
        Rule::key_list => Command::KeyList,
        Rule::key_describe => Command::KeyDescribe(a.next()),
        Rule::key_enable => Command::KeyEnable(a.next()),
        Rule::key_disable => Command::KeyDisable(a.next()),
        Rule::key_schedule_deletion => Command::KeyScheduleDeletion {
            key: a.next(),
            days: a.number_of(Rule::days),
        },
        Rule::key_cancel_deletion => Command::KeyCancelDeletion(a.next()),
        Rule::key_rotate => Command::KeyRotate(a.next()),
        Rule::key_enable_rotation => Command::KeyEnableRotation {
            key: a.next(),
            days: a.number_of(Rule::days),
        },
        Rule::key_disable_rotation => Command::KeyDisableRotation(a.next()),
        Rule::key_rotations => Command::KeyRotations(a.next()),
        Rule::alias_create => Command::AliasCreate {
            name: a.next(),
            key: a.next(),
        },
        Rule::alias_update => Command::AliasUpdate {
            name: a.next(),
            key: a.next(),
        },
        Rule::alias_delete => Command::AliasDelete(a.next()),
        Rule::alias_list => Command::AliasList(a.rest().into_iter().next()),
        Rule::policy_get => Command::PolicyGet(a.next()),
        Rule::policy_put => Command::PolicyPut {
            key: a.next(),
            policy: a.next(),
            bypass: a.has(Rule::bypass),
        },
        Rule::grant_create => Command::GrantCreate {
            key: a.next(),
            grantee: a.next(),
            operations: a
                .option(Rule::operations)
                .map(|ops| parts(ops).iter().map(|w| w.as_str().to_owned()).collect())
                .unwrap_or_default(),
            context_equals: a.pairs_of(Rule::context_equals),
            context_subset: a.pairs_of(Rule::context_subset),
            retiring: a.operand_of(Rule::retiring),
            name: a.operand_of(Rule::grant_name),
        },
        Rule::grant_list => Command::GrantList(a.next()),
        Rule::grant_revoke => Command::GrantRevoke {
            key: a.next(),
            grant: a.next(),
        },
        Rule::grant_retire => Command::GrantRetire(a.next()),
        Rule::encrypt => Command::Encrypt {
            key: a.next(),
            plaintext: a.next(),
            options: a.crypto(),
        },
        Rule::decrypt => Command::Decrypt {
            ciphertext: a.next(),
            key: a.operand_of(Rule::expected_key),
            options: a.crypto(),
        },
        Rule::re_encrypt => Command::ReEncrypt {
            ciphertext: a.next(),
            source_context: a.pairs_of(Rule::context).unwrap_or_default(),
            key: a.next(),
            destination_context: a
                .option(Rule::destination)
                .and_then(|d| parts(d).into_iter().next())
                .map(pairs),
        },
        Rule::generate_data_key => {
            let size = a.option(Rule::size).map(|s| {
                let words = parts(s);
                match words.first() {
                    Some(w) if w.as_rule() == Rule::number => (None, Some(number(w))),
                    Some(w) => (Some(w.as_str().to_owned()), None),
                    None => (None, None),
                }
            });
            let (key_spec, bytes) = size.unwrap_or((None, None));
            Command::GenerateDataKey {
                key: a.next(),
                key_spec,
                bytes,
                options: a.crypto(),
                with_plaintext: !a.has(Rule::without_plaintext),
            }
        }
        Rule::seal => Command::Seal {
            plaintext: a.next(),
            keys: a.rest(),
            context: a.pairs_of(Rule::context).unwrap_or_default(),
        },
        Rule::open => Command::Open {
            sealed: a.next(),
            context: a.pairs_of(Rule::context).unwrap_or_default(),
        },
        Rule::call => {
            let operation = a.next();
            let (operation, span) = match operation.value {
                Written::Text(t) => (t, operation.span),
                _ => (String::new(), operation.span),
            };
            Command::Call {
                operation,
                span,
                request: a.rest().into_iter().next(),
            }
        }
        Rule::accounts => Command::Accounts(a.next()),
        Rule::as_ => Command::As {
            principal: a.next(),
            via: a.operand_of(Rule::via),
        },
        Rule::whoami => Command::Whoami,
        Rule::simulate => {
            let action = a.next();
            let action = match action.value {
                Written::Text(t) => t,
                _ => String::new(),
            };
            Command::Simulate {
                action,
                key: a.next(),
                principal: a.operand_of(Rule::simulate_as),
                via: a.operand_of(Rule::via),
                context: a.pairs_of(Rule::context).unwrap_or_default(),
            }
        }
        Rule::explain => Command::Explain,
        Rule::clock_show => Command::ClockShow,
        Rule::clock_set => {
            let (time, span) = first_word.unwrap_or_default();
            Command::ClockSet { time, span }
        }
        Rule::clock_advance => {
            let text = first_word.map(|(t, _)| t).unwrap_or_default();
            let (digits, unit) = text.split_at(text.len().saturating_sub(1));
            let n: i64 = digits.parse().unwrap_or(0);
            let scale = match unit {
                "d" => 86_400,
                "h" => 3_600,
                "m" => 60,
                _ => 1,
            };
            Command::ClockAdvance { seconds: n * scale }
        }
        Rule::audit => Command::Audit(
            a.options
                .iter()
                .find(|p| p.as_rule() == Rule::number)
                .map(|n| number(n).try_into().unwrap_or(usize::MAX)),
        ),
        Rule::lint => Command::Lint(a.next()),
        Rule::show => {
            let (name, span) = first_word.unwrap_or_default();
            Command::Show {
                name: name.trim_start_matches('$').to_owned(),
                span,
                reveal: a.has(Rule::reveal),
            }
        }
        Rule::help => Command::Help(first_word.map(|(w, _)| w)),
        _ => Command::Exit,
    }
}

/// Is a JSON object in `text` still open, so the statement goes on on the
/// next line? Quoted strings are skipped; a comment ends the count.
pub fn is_incomplete(text: &str) -> bool {
    let mut open = Open::default();
    text.lines().for_each(|line| open.feed(line));
    open.is_open()
}

/// [`is_incomplete`] line by line: a statement read one line at a time is
/// scanned once, so a script of 100,000 lines that each open an object
/// costs linear time, not the square of its length.
#[derive(Clone, Copy, Debug, Default)]
pub struct Open {
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl Open {
    /// Takes the next line of the statement (without its newline).
    pub fn feed(&mut self, line: &str) {
        for c in line.chars() {
            if self.in_string {
                match c {
                    _ if self.escaped => self.escaped = false,
                    '\\' => self.escaped = true,
                    '"' => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => self.in_string = true,
                '{' => self.depth += 1,
                '}' => self.depth = self.depth.saturating_sub(1),
                '#' if self.depth == 0 => break,
                _ => {}
            }
        }
        // A string outside JSON closes on its line.
        if self.depth == 0 {
            self.in_string = false;
        }
    }

    /// Whether an object is still open after the lines fed so far.
    pub fn is_open(&self) -> bool {
        self.depth > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(text: &str) -> Command {
        match Statement::parse(text) {
            Ok(Some(statement)) => statement.command,
            other => panic!("`{text}` should read as a command: {other:?}"),
        }
    }

    fn text(value: &str, start: usize) -> Operand {
        Operand {
            value: Written::Text(value.to_owned()),
            span: Span::new(start, start + value.len()),
        }
    }

    #[test]
    fn let_binds_a_command_with_its_operands_and_context() {
        let statement = Statement::parse(r#"let ct = encrypt alias/app "hi \"you\"" context dept=eng b="x y""#)
            .unwrap()
            .unwrap();
        assert_eq!(statement.bind.as_deref(), Some("ct"));
        let Command::Encrypt {
            key,
            plaintext,
            options,
        } = statement.command
        else {
            panic!("an encrypt command");
        };
        assert_eq!(key, text("alias/app", 17));
        assert_eq!(plaintext.value, Written::Text("hi \"you\"".into()));
        let context: Vec<(&str, &str)> = options.context.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(context, [("b", "x y"), ("dept", "eng")]);
    }

    #[test]
    fn keywords_are_whole_words() {
        assert!(Statement::parse("keys list").is_err());
        assert_eq!(command("key list"), Command::KeyList);
    }

    #[test]
    fn re_encrypt_takes_a_source_and_a_destination_context() {
        let Command::ReEncrypt {
            source_context,
            destination_context,
            ..
        } = command("re-encrypt $ct context a=1 to alias/new context a=2")
        else {
            panic!("a re-encrypt command");
        };
        assert_eq!(source_context.get("a").map(String::as_str), Some("1"));
        assert_eq!(
            destination_context.and_then(|c| c.get("a").cloned()).as_deref(),
            Some("2")
        );
    }

    #[test]
    fn grant_create_reads_operations_and_constraints() {
        let Command::GrantCreate {
            operations,
            context_subset,
            context_equals,
            name,
            ..
        } = command("grant create alias/app to analyst ops Decrypt,Encrypt context-subset dept=eng name reader")
        else {
            panic!("a grant command");
        };
        assert_eq!(operations, ["Decrypt", "Encrypt"]);
        assert_eq!(context_subset.map(|c| c.len()), Some(1));
        assert_eq!(context_equals, None);
        assert_eq!(name.map(|n| n.value), Some(Written::Text("reader".into())));
    }

    #[test]
    fn a_json_policy_is_kept_whole_with_braces_in_its_strings() {
        let policy = "{\n \"Sid\": \"a } b\",\n \"Statement\": [{}]\n}";
        let Command::PolicyPut { policy: operand, .. } = command(&format!("policy put alias/app {policy}")) else {
            panic!("a policy command");
        };
        assert_eq!(operand.value, Written::Json(policy.to_owned()));
    }

    #[test]
    fn durations_and_expectations_read_as_numbers_and_words() {
        assert_eq!(command("clock advance 2d"), Command::ClockAdvance { seconds: 172_800 });
        assert_eq!(command("clock advance 90m"), Command::ClockAdvance { seconds: 5_400 });
        assert_eq!(command("expect deny"), Command::Expect(Expectation::Deny));
        assert_eq!(command("audit 3"), Command::Audit(Some(3)));
        assert!(Statement::parse("clock advance 7 days").is_err());
    }

    #[test]
    fn an_open_json_object_continues_the_statement() {
        assert!(is_incomplete("key create policy {"));
        assert!(is_incomplete("key create policy {\"a\": \"}\""));
        assert!(!is_incomplete("key create policy {}"));
        assert!(!is_incomplete("encrypt k \"{\""));
        assert!(!is_incomplete("key list # {"));
    }
}
