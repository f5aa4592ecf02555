//! `keyward repl` and `keyward run SCRIPT.kws`: a [`Session`] from the
//! global flags, fed by the terminal or by a script.

use std::path::PathBuf;

use keyward::repl::{interact, render_error, run_script, EditorOptions, Options, ScriptOptions, Session};
use keyward::suite::Accounts;

use super::kms_args::Session as SessionArgs;
use super::Exit;

#[derive(Debug, clap::Args)]
pub struct ReplArgs {
    /// Keep no history file (default: `repl-history` in the user's data directory).
    #[arg(long)]
    pub no_history: bool,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The script: one statement per line, as typed at the REPL.
    pub script: PathBuf,
    /// Print each statement before its output, as a transcript.
    #[arg(long)]
    pub echo: bool,
    /// Run every statement; the exit status still says whether any failed.
    #[arg(long)]
    pub keep_going: bool,
}

/// The session the flags describe; `state` is where it keeps its state.
fn session(args: &SessionArgs, state: Option<PathBuf>, colour: bool) -> Result<Session, Exit> {
    let xks_proxies = args.proxies().map_err(|message| {
        eprintln!("error: {message}");
        Exit::Failure
    })?;
    let accounts = match &args.accounts {
        Some(path) => Some(Accounts::load(path).map_err(|e| {
            eprint!("{}", super::render::report(&e));
            Exit::Failure
        })?),
        None => None,
    };
    Session::new(Options {
        account: args.account.clone(),
        region: args.region.clone(),
        accounts,
        caller: args.caller.clone(),
        via_service: args.via_service.clone(),
        state,
        colour,
        shape_response: Some(super::aws::shape_response),
        xks_proxies,
    })
    .map_err(|e| {
        eprint!("{}", render_error(&e, colour));
        Exit::Failure
    })
}

pub fn repl(args: &SessionArgs, repl: &ReplArgs) -> Exit {
    let colour = super::render::use_colour();
    // Like every KMS command: the state directory unless `--ephemeral`.
    let state = (!args.ephemeral).then(|| args.state.clone().unwrap_or_else(keyward::store::default_dir));
    let mut session = match session(args, state, colour) {
        Ok(session) => session,
        Err(outcome) => return outcome,
    };
    let options = EditorOptions {
        history: (!repl.no_history).then(|| keyward::store::default_dir().join("repl-history")),
        colour,
    };
    match interact(&mut session, &options) {
        Ok(()) => Exit::Success,
        Err(e) => {
            eprint!("{}", render_error(&e, colour));
            Exit::Failure
        }
    }
}

/// Exit 0 when every statement went as expected, 1 when one failed, 2 when
/// the script or the session could not be started.
pub fn run(args: &SessionArgs, run: &RunArgs) -> Exit {
    let colour = super::render::use_colour();
    let script = match keyward::source::read::bytes(&run.script, keyward::source::read::Kind::Script) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Failure;
        }
    };
    // Scripts start empty unless given a state directory.
    let mut session = match session(args, args.state.clone(), colour) {
        Ok(session) => session,
        Err(outcome) => return outcome,
    };
    let options = ScriptOptions {
        echo: run.echo,
        keep_going: run.keep_going,
        colour,
    };
    let mut out = std::io::stdout().lock();
    match run_script(&mut session, &script, options, &mut out) {
        Ok(summary) if summary.failures == 0 => Exit::Success,
        Ok(summary) => {
            eprintln!(
                "{}: {} of {} statements failed",
                run.script.display(),
                summary.failures,
                summary.statements
            );
            Exit::Problems
        }
        Err(e) => {
            eprint!("{}", render_error(&e, colour));
            Exit::Failure
        }
    }
}
