//! `keyward encrypt-file` and `decrypt-file`: envelope encryption of files
//! and streams of any size. The runtime is asked for the data key while the
//! state directory is locked; the stream itself runs after the state is
//! saved and unlocked, so other commands need not wait for it. A file output is written to a temporary file
//! beside it and renamed into place only when the whole input has been
//! sealed or opened and checked, so a failure never leaves a partial or
//! unauthenticated output at the path. Standard output (`-`) receives each
//! frame's plaintext as soon as that frame is authenticated; a failure then
//! says the output is incomplete and must be discarded.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use keyward::crypto::envelope::{EnvelopeError, Options, ReadHeader, DEFAULT_FRAME_SIZE, FRAME_SIZES};
use keyward::eval::Caller;
use keyward::kms::runtime::{Runtime, SystemClock};
use keyward::kms::stream::{EnvelopeFailure, Opener, Sealer};
use serde_json::json;

use super::kms::{context_pairs, Failure, Printed};

#[derive(Debug, Args)]
pub struct EncryptFileArgs {
    /// A key to encrypt the data key under: key id, key ARN, alias name or
    /// alias ARN. Repeat it to let any one of several keys decrypt the file.
    #[arg(long = "key", required = true, value_name = "KEY")]
    pub keys: Vec<String>,
    /// Encryption context, bound to the file and its data keys (`k=v`,
    /// repeated or comma-separated).
    #[arg(long, value_name = "K=V")]
    pub context: Vec<String>,
    /// Plaintext bytes per frame (1024 to 16777216).
    #[arg(long, default_value_t = DEFAULT_FRAME_SIZE, value_name = "BYTES")]
    pub frame_size: u32,
    #[command(flatten)]
    pub io: FileIo,
}

#[derive(Debug, Args)]
pub struct DecryptFileArgs {
    /// Encryption context the file must have (`k=v`, repeated or
    /// comma-separated): every pair must be in the file's context.
    #[arg(long, value_name = "K=V")]
    pub context: Vec<String>,
    #[command(flatten)]
    pub io: FileIo,
}

#[derive(Clone, Debug, Args)]
pub struct FileIo {
    /// Threads that seal or open frames (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// The input file, or `-` for standard input.
    #[arg(value_name = "IN")]
    pub in_path: String,
    /// The output file, or `-` for standard output. An existing file is
    /// replaced only on success.
    #[arg(value_name = "OUT")]
    pub out_path: String,
}

/// The input of a command, opened; for `decrypt-file`, with its header read.
pub(super) struct Input {
    reader: Box<dyn ReadSend>,
    size: Option<u64>,
    header: Option<ReadHeader>,
}

/// A readable input that can be handed to the reading thread.
pub trait ReadSend: Read + Send {}
impl<R: Read + Send> ReadSend for R {}

/// Opens IN (for `decrypt-file`, and reads its header): done before the
/// state directory is locked, so `encrypt-file … - | decrypt-file - …` on one
/// state directory does not wait on itself.
pub(super) fn open_input(io: &FileIo, read_header: bool) -> Result<Input, Failure> {
    let (mut reader, size): (Box<dyn ReadSend>, Option<u64>) = if io.in_path == "-" {
        (Box::new(std::io::stdin()), None)
    } else {
        let file = File::open(&io.in_path).map_err(|e| Failure::Usage(format!("cannot read `{}`: {e}", io.in_path)))?;
        let size = file.metadata().ok().map(|m| m.len());
        (Box::new(file), size)
    };
    let header = if read_header {
        Some(read_header_of(&mut reader).map_err(|e| refused(EnvelopeFailure::Format(e), ""))?)
    } else {
        None
    };
    Ok(Input { reader, size, header })
}

fn read_header_of(reader: &mut Box<dyn ReadSend>) -> Result<ReadHeader, keyward::crypto::envelope::EnvelopeError> {
    keyward::crypto::envelope::read_header(&mut &mut **reader)
}

/// The stream work left once the runtime has made or decrypted the data
/// key; it runs after the state is saved and unlocked.
pub(super) enum Job {
    Seal { sealer: Sealer, input: Input, io: FileIo },
    Open { opener: Opener, input: Input, io: FileIo },
}

/// `encrypt-file`, up to the stream: the data key and its encrypted copies.
pub(super) fn prepare_encrypt(
    rt: &mut Runtime<SystemClock>,
    caller: &Caller,
    args: &EncryptFileArgs,
    input: Input,
) -> Result<Job, Failure> {
    if !FRAME_SIZES.contains(&args.frame_size) {
        return Err(Failure::Usage(format!(
            "--frame-size {} is not between {} and {}",
            args.frame_size,
            FRAME_SIZES.start(),
            FRAME_SIZES.end()
        )));
    }
    let context = context_pairs("--context", &args.context)?;
    let sealer = Sealer::new(rt, caller, &args.keys, &context, args.frame_size).map_err(|e| refused(e, ""))?;
    Ok(Job::Seal {
        sealer,
        input,
        io: args.io.clone(),
    })
}

/// `decrypt-file`, up to the stream: the data key, decrypted by the runtime.
pub(super) fn prepare_decrypt(
    rt: &mut Runtime<SystemClock>,
    caller: &Caller,
    args: &DecryptFileArgs,
    mut input: Input,
) -> Result<Job, Failure> {
    let expected = context_pairs("--context", &args.context)?;
    let header = input
        .header
        .take()
        .ok_or_else(|| Failure::Usage("the input's header was not read".into()))?;
    let opener = Opener::new(rt, caller, &expected, header).map_err(|e| refused(e, ""))?;
    Ok(Job::Open {
        opener,
        input,
        io: args.io.clone(),
    })
}

impl Job {
    /// Streams the input to the output and says what was done (nothing,
    /// when the output is standard output).
    pub(super) fn run(self) -> Result<Printed, Failure> {
        match self {
            Job::Seal { sealer, input, io } => {
                let bytes = stream(&io, input, |input, output, options| sealer.seal(input, output, options))?;
                let keys = sealer.key_arns();
                Ok(summary(&io, json!({"Bytes": bytes, "KeyIds": keys}), || {
                    format!("{bytes}\t{}", keys.join(","))
                }))
            }
            Job::Open { opener, input, io } => {
                let bytes = stream(&io, input, |input, output, options| opener.open(input, output, options))?;
                Ok(summary(
                    &io,
                    json!({"Bytes": bytes, "KeyId": opener.key_arn(), "EncryptionContext": opener.context()}),
                    || format!("{bytes}\t{}", opener.key_arn()),
                ))
            }
        }
    }
}

/// What a command prints: nothing when its output is standard output.
fn summary(io: &FileIo, json: serde_json::Value, text: impl FnOnce() -> String) -> Printed {
    if io.out_path == "-" {
        return Printed {
            json: json!({}),
            text: String::new(),
        };
    }
    Printed { json, text: text() }
}

/// Runs `work` from the input to the output with a progress bar on a
/// terminal, and puts a file output in place only on success.
fn stream(
    io: &FileIo,
    mut input: Input,
    work: impl FnOnce(&mut &mut dyn ReadSend, &mut &mut dyn Write, &Options<'_>) -> Result<u64, EnvelopeError>,
) -> Result<u64, Failure> {
    let bar = progress_bar(input.size);
    let report = |n: u64| bar.set_position(n);
    let options = Options {
        workers: io
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        progress: &report,
    };
    let reader: &mut dyn ReadSend = &mut *input.reader;
    let result = if io.out_path == "-" {
        let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
        let writer: &mut dyn Write = &mut out;
        work(&mut &mut *reader, &mut &mut *writer, &options)
            .map_err(|e| refused(e.into(), " (the output so far is incomplete: discard it)"))
            .and_then(|n| {
                out.flush()
                    .map(|()| n)
                    .map_err(|e| Failure::Usage(format!("cannot write to standard output: {e}")))
            })
    } else {
        let target = Path::new(&io.out_path);
        if io.in_path != "-" && same_file(Path::new(&io.in_path), target) {
            return Err(Failure::Usage("IN and OUT are the same file".into()));
        }
        let partial = Partial::create(target)?;
        let mut out = BufWriter::with_capacity(1 << 20, &partial.file);
        let writer: &mut dyn Write = &mut out;
        let result = work(&mut &mut *reader, &mut &mut *writer, &options).map_err(|e| refused(e.into(), ""));
        let flushed = out.into_inner().map_err(|e| e.into_error());
        match (result, flushed) {
            (Ok(n), Ok(_)) => partial.commit(target).map(|()| n),
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => Err(Failure::Usage(format!("cannot write `{}`: {e}", io.out_path))),
        }
    };
    bar.finish_and_clear();
    result
}

fn refused(failure: EnvelopeFailure, note: &str) -> Failure {
    match failure {
        EnvelopeFailure::Kms { operation, error, .. } => Failure::Kms(operation, error),
        other => Failure::Refused(format!("{other}{note}")),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// A progress bar on a terminal for inputs of 8 MiB or more (or of unknown
/// size); hidden otherwise.
fn progress_bar(size: Option<u64>) -> indicatif::ProgressBar {
    let large = size.is_none_or(|n| n >= 8 << 20);
    if !large || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let style = match size {
        Some(_) => "{bytes}/{total_bytes} {wide_bar} {bytes_per_sec} {eta}",
        None => "{spinner} {bytes} {bytes_per_sec}",
    };
    let bar = size.map_or_else(indicatif::ProgressBar::new_spinner, indicatif::ProgressBar::new);
    if let Ok(style) = indicatif::ProgressStyle::with_template(style) {
        bar.set_style(style);
    }
    bar
}

/// The output being written: a temporary file beside the target, readable
/// by its owner only, removed unless committed.
struct Partial {
    path: PathBuf,
    file: File,
    committed: bool,
}

impl Partial {
    fn create(target: &Path) -> Result<Partial, Failure> {
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let suffix: String = keyward::crypto::random_bytes(6)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let path = dir.join(format!(".{name}.{suffix}.keyward-partial"));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(&path)
            .map_err(|e| Failure::Usage(format!("cannot write in `{}`: {e}", dir.display())))?;
        Ok(Partial {
            path,
            file,
            committed: false,
        })
    }

    /// Makes the written file durable and moves it to `target`.
    fn commit(mut self, target: &Path) -> Result<(), Failure> {
        let failed = |e: std::io::Error| Failure::Usage(format!("cannot write `{}`: {e}", target.display()));
        self.file.sync_all().map_err(failed)?;
        std::fs::rename(&self.path, target).map_err(failed)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
