//! `keyward kms <operation>`: the AWS CLI's `aws kms` over the local KMS.
//! Its subcommands are built from the operation registry (`op::NAMES`) and
//! the API model, so every operation keyward serves is here with the AWS
//! CLI's parameter names, shorthand, `--cli-input-json` and
//! `--generate-cli-skeleton`; the request runs through `op::call_json`
//! (decode → `Service::call` → encode) like a request to `keyward serve`,
//! and the answer prints as the AWS CLI prints it.

pub mod model;
pub mod output;
mod request;
pub mod shorthand;
mod skeleton;
mod table;
mod text;
mod yaml;

use std::io::Write;

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::Value;

pub use output::Format;
use request::{Binary, Given};

use super::kms_args::Session;
use super::Exit;

/// One `keyward kms <operation>` command line.
#[derive(Debug, Clone)]
pub struct KmsArgs {
    /// The model's name of the operation (`GenerateDataKey`).
    pub operation: String,
    /// The members given, by model name.
    given: Vec<(String, Given)>,
    cli_input_json: Option<String>,
    skeleton: Option<String>,
    binary: Binary,
    paginate: bool,
}

/// The operations keyward serves, with their models.
fn served() -> impl Iterator<Item = (&'static str, &'static model::Operation)> {
    let model = model::model();
    keyward::kms::op::NAMES
        .iter()
        .filter_map(move |name| model.operations.get(*name).map(|op| (*name, op)))
}

/// `Marker` in, `NextMarker` out: the AWS CLI fetches every page.
fn result_key(operation: &model::Operation) -> Option<&'static str> {
    let model = model::model();
    let input = operation.input.as_deref()?;
    let output = operation.output.as_deref()?;
    let takes_marker = model.members(input).iter().any(|(n, _)| n == "Marker");
    let gives_marker = model.members(output).iter().any(|(n, _)| n == "NextMarker");
    if !(takes_marker && gives_marker) {
        return None;
    }
    model
        .members(output)
        .iter()
        .find(|(_, m)| matches!(model.shape(&m.shape), Some(model::Shape::List { .. })))
        .map(|(n, _)| n.as_str())
}

/// The subcommand of one operation: a flag per member of its input.
fn subcommand(name: &'static str, operation: &'static model::Operation) -> Command {
    let model = model::model();
    let input = operation.input.as_deref().unwrap_or_default();
    let required = model.required(input);
    let mut command = Command::new(model::kebab(name)).about(operation.doc.clone());
    for (member, spec) in model.members(input) {
        let long = model::kebab(member);
        let doc = if required.contains(member) {
            format!("{} (required)", spec.doc)
        } else {
            spec.doc.clone()
        };
        command = match model.shape(&spec.shape) {
            Some(model::Shape::Boolean) => command
                .arg(
                    Arg::new(member.clone())
                        .long(long.clone())
                        .help(doc)
                        .action(ArgAction::SetTrue),
                )
                .arg(
                    Arg::new(format!("no-{member}"))
                        .long(format!("no-{long}"))
                        .action(ArgAction::SetTrue)
                        .conflicts_with(member.clone())
                        .hide(true),
                ),
            Some(model::Shape::List { .. }) => command.arg(
                Arg::new(member.clone())
                    .long(long)
                    .help(doc)
                    .value_name("VALUE")
                    .num_args(1..)
                    .action(ArgAction::Append),
            ),
            _ => command.arg(
                Arg::new(member.clone())
                    .long(long)
                    .help(doc)
                    .value_name("VALUE")
                    .allow_hyphen_values(true),
            ),
        };
    }
    if result_key(operation).is_some() {
        command = command
            .arg(
                Arg::new("no-paginate")
                    .long("no-paginate")
                    .action(ArgAction::SetTrue)
                    .help("Fetch one page only (by default every page is fetched and joined)"),
            )
            .arg(
                Arg::new("starting-token")
                    .long("starting-token")
                    .value_name("TOKEN")
                    .help("Where to start: the `NextMarker` of an earlier page"),
            )
            .arg(
                Arg::new("page-size")
                    .long("page-size")
                    .value_name("N")
                    .help("The most items each call returns (`Limit`)"),
            );
    }
    command
        .arg(
            Arg::new("cli-input-json")
                .long("cli-input-json")
                .value_name("JSON")
                .help("The request as JSON (or `file://PATH`); other flags override its members"),
        )
        .arg(
            Arg::new("generate-cli-skeleton")
                .long("generate-cli-skeleton")
                .value_name("input|output")
                .num_args(0..=1)
                .default_missing_value("input")
                .value_parser(["input", "output"])
                .help("Print a JSON skeleton of the request (or the response) and exit"),
        )
        .arg(
            Arg::new("cli-binary-format")
                .long("cli-binary-format")
                .value_name("FORMAT")
                .value_parser(["base64", "raw-in-base64-out"])
                .help("`raw-in-base64-out` reads blob values as text instead of base64"),
        )
}

impl clap::FromArgMatches for KmsArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let Some((sub, m)) = matches.subcommand() else {
            return Err(clap::Error::new(clap::error::ErrorKind::MissingSubcommand));
        };
        let Some((name, operation)) = served().find(|(name, _)| model::kebab(name) == sub) else {
            return Err(clap::Error::new(clap::error::ErrorKind::InvalidSubcommand));
        };
        let model = model::model();
        let input = operation.input.as_deref().unwrap_or_default();
        let mut given = Vec::new();
        for (member, spec) in model.members(input) {
            if matches!(model.shape(&spec.shape), Some(model::Shape::Boolean)) {
                if m.get_flag(member) {
                    given.push((member.clone(), Given::Flag(true)));
                } else if m.get_flag(&format!("no-{member}")) {
                    given.push((member.clone(), Given::Flag(false)));
                }
            } else if let Some(values) = m.get_many::<String>(member) {
                given.push((member.clone(), Given::Values(values.cloned().collect())));
            }
        }
        let paginated = result_key(operation).is_some();
        let value = |id: &str| -> Option<String> {
            if paginated || !matches!(id, "starting-token" | "page-size") {
                m.get_one::<String>(id).cloned()
            } else {
                None
            }
        };
        if let Some(token) = value("starting-token") {
            given.push(("Marker".to_owned(), Given::Values(vec![token])));
        }
        if let Some(size) = value("page-size") {
            given.push(("Limit".to_owned(), Given::Values(vec![size])));
        }
        Ok(KmsArgs {
            operation: name.to_owned(),
            given,
            cli_input_json: value("cli-input-json"),
            skeleton: value("generate-cli-skeleton"),
            binary: match value("cli-binary-format").as_deref() {
                Some("raw-in-base64-out") => Binary::Raw,
                _ => Binary::Base64,
            },
            paginate: !(paginated && m.get_flag("no-paginate")),
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for KmsArgs {
    fn augment_args(command: Command) -> Command {
        command
            .subcommand_required(true)
            .subcommands(served().map(|(name, operation)| subcommand(name, operation)))
    }

    fn augment_args_for_update(command: Command) -> Command {
        Self::augment_args(command)
    }
}

/// The value of `member` of `operation`'s request from the `values` given
/// for it, typed as `keyward kms <operation> --<member> …` types them.
pub fn member(operation: &str, member: &str, values: &[String]) -> Result<Value, String> {
    let model = model::model();
    let input = model
        .operations
        .get(operation)
        .and_then(|op| op.input.as_deref())
        .ok_or_else(|| format!("{operation} takes no request"))?;
    let (_, spec) = model
        .members(input)
        .iter()
        .find(|(name, _)| name == member)
        .ok_or_else(|| format!("{operation} has no member {member}"))?;
    request::of_shape(model, &spec.shape, values, &format!("--{}", model::kebab(member)))
}

/// `values` given with `flag`, typed by the model's `shape` (as
/// `EncryptionContextType`), as `keyward kms` types a member of that shape.
pub fn of_shape(shape: &str, values: &[String], flag: &str) -> Result<Value, String> {
    request::of_shape(model::model(), shape, values, flag)
}

pub fn run(session: &Session, args: &KmsArgs) -> Exit {
    let model = model::model();
    let Some(operation) = model.operations.get(&args.operation) else {
        return Exit::Failure;
    };
    let input = operation.input.as_deref().unwrap_or_default();
    let mut stdout = std::io::stdout().lock();
    if let Some(side) = &args.skeleton {
        let shape = if side == "output" {
            operation.output.as_deref().unwrap_or_default()
        } else {
            input
        };
        let skeleton = skeleton::of(model, shape, 0);
        let _ = output::write(&mut stdout, Format::Json, &args.operation, &skeleton);
        return Exit::Success;
    }
    let mut request = match request::build(model, input, args.cli_input_json.as_deref(), &args.given, args.binary) {
        Ok(request) => request,
        Err(message) => {
            eprintln!("keyward kms {}: error: {message}", model::kebab(&args.operation));
            return Exit::Failure;
        }
    };
    let answer = call(session, args, operation, &mut request);
    keyward::kms::op::wipe(&mut request);
    match answer {
        Ok(response) => {
            match print(
                &mut stdout,
                session,
                &args.operation,
                operation.output.as_deref(),
                response,
            ) {
                Ok(()) => Exit::Success,
                Err(Printing::Query(message)) => {
                    eprintln!("error: {message}");
                    Exit::Failure
                }
                // A closed pipe (`| head`) ends the output quietly.
                Err(Printing::Io) => Exit::Success,
            }
        }
        Err(Called::Usage(message)) => {
            eprintln!("error: {message}");
            Exit::Failure
        }
        Err(Called::Kms(e)) => {
            eprintln!(
                "\nAn error occurred ({}) when calling the {} operation: {}",
                e.name.as_str(),
                args.operation,
                e.message
            );
            Exit::Problems
        }
    }
}

enum Called {
    Usage(String),
    Kms(keyward::kms::KmsError),
}

/// Calls the operation (every page of a list unless `--no-paginate` or a
/// starting marker says otherwise, joined as the AWS CLI joins them).
fn call(session: &Session, args: &KmsArgs, operation: &model::Operation, request: &mut Value) -> Result<Value, Called> {
    let failure = |f: super::kms::Failure| match f {
        super::kms::Failure::Usage(m) | super::kms::Failure::Refused(m) => Called::Usage(m),
        super::kms::Failure::Kms(_, e) => Called::Kms(e),
    };
    let (caller, identities) = super::kms::caller(session).map_err(failure)?;
    let service = super::kms::service(session, identities).map_err(failure)?;
    let once = |request: &Value| {
        keyward::kms::op::call_json(&service, &caller, &session.region, &args.operation, request).map_err(Called::Kms)
    };
    let response = once(request)?;
    let Some(key) = result_key(operation) else {
        return Ok(response);
    };
    if !args.paginate || request.get("Marker").is_some() {
        return Ok(response);
    }
    every_page(response, request, key, once)
}

/// Follows `NextMarker` from the first page's `response`, joining the list
/// member `key` of every page, and drops the markers, as the AWS CLI's
/// paginated answers do.
pub fn every_page<E>(
    mut response: Value,
    request: &mut Value,
    key: &str,
    mut once: impl FnMut(&Value) -> Result<Value, E>,
) -> Result<Value, E> {
    while let Some(marker) = response.get("NextMarker").and_then(Value::as_str).map(str::to_owned) {
        request["Marker"] = Value::String(marker);
        let mut page = once(request)?;
        if let (Some(Value::Array(all)), Some(Value::Array(more))) = (response.get_mut(key), page.get_mut(key)) {
            all.append(more);
        }
        match page.get("NextMarker") {
            Some(next) => response["NextMarker"] = next.clone(),
            None => {
                if let Value::Object(fields) = &mut response {
                    fields.remove("NextMarker");
                }
            }
        }
    }
    if let Value::Object(fields) = &mut response {
        fields.remove("NextMarker");
        fields.remove("Truncated");
    }
    Ok(response)
}

/// Why an answer could not be printed.
pub enum Printing {
    /// `--query` is not JMESPath.
    Query(String),
    /// Writing failed (a closed pipe, say).
    Io,
}

/// A wire response of `operation` (`GenerateDataKey`) in the shape
/// `keyward kms` prints: what the REPL's `call` shows.
pub fn shape_response(operation: &str, response: &mut Value) {
    let model = model::model();
    if let Some(shape) = model.operations.get(operation).and_then(|o| o.output.as_deref()) {
        output::as_printed(model, shape, response);
    }
}

/// Prints a response of shape `shape` as the session's `--query` and
/// `--output` say (JSON by default), timestamps in ISO 8601 and members in
/// the model's order, then wipes it.
/// An empty response prints nothing, as with the AWS CLI.
pub fn print(
    out: &mut impl Write,
    session: &Session,
    title: &str,
    shape: Option<&str>,
    mut response: Value,
) -> Result<(), Printing> {
    if let Some(shape) = shape {
        output::as_printed(model::model(), shape, &mut response);
    }
    let result = (|| {
        let mut shown = match &session.query {
            Some(expression) => output::query(expression, &response).map_err(Printing::Query)?,
            None => {
                if response.as_object().is_some_and(serde_json::Map::is_empty) {
                    return Ok(());
                }
                std::mem::take(&mut response)
            }
        };
        let written = output::write(out, session.output.unwrap_or(Format::Json), title, &shown);
        keyward::kms::op::wipe(&mut shown);
        written.map_err(|_| Printing::Io)
    })();
    keyward::kms::op::wipe(&mut response);
    result
}
