//! The REPL and session scripts. A line of the command language
//! (`grammar/repl.pest`) is read into a [`Statement`] (`command.rs`), which
//! a [`Session`] executes against its runtime, writing to any `Write`
//! (`session.rs`; the commands in `run.rs`, `manage.rs` and `crypto.rs`,
//! their operands in `operands.rs`). `keyward run` feeds a script's statements to the same
//! session (`script.rs`); `keyward repl` reads them from a rustyline editor
//! (`editor.rs`, the only file that knows of the terminal).

mod clock;
mod command;
mod crypto;
mod diagnostics;
mod editor;
pub mod explain;
mod grammar;
mod help;
mod lint;
mod manage;
mod operands;
mod piped;
mod run;
mod script;
mod session;
mod value;

pub use command::{Command, CryptoOptions, Expectation, Operand, Statement, Written, MAX_LINE_BYTES};
pub use diagnostics::ReplError;
pub use editor::{interact, EditorOptions};
pub use script::{render_error, run_script, ScriptOptions, ScriptSummary};
pub use session::{Options, Session, ShapeResponse, Step};
pub use value::Value;
