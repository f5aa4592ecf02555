//! `keyward encrypt-file` and `decrypt-file`: envelope encryption of files
//! and streams of any size, in the AWS Encryption SDK message format (or
//! keyward's earlier format, `--format keyward`; `decrypt-file` tells them
//! apart by their first byte). The runtime is asked for the data key while
//! the state directory is locked; the stream itself runs after the state is
//! saved and unlocked, so other commands need not wait for it. A decrypted
//! output is written to a temporary file (beside a file output, in the
//! temporary directory for standard output) and released only when the
//! whole message has been opened and authenticated, signature included, so
//! a failure never leaves plaintext of a message that failed.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use keyward::crypto::envelope::{Options, ReadHeader, DEFAULT_FRAME_SIZE, FRAME_SIZES};
use keyward::crypto::esdk::{self, CommitmentPolicy, Suite};
use keyward::kms::stream::sdk::{OpenSettings, SdkOpener, SdkSealer};
use keyward::kms::stream::{EnvelopeFailure, KeyCalls, Opener, Sealer};
use serde_json::json;

use super::kms::{context_pairs, Failure, Printed};
use super::raw_keys::{sdk_format_only, seal_settings, RawKeyArgs};

#[derive(Debug, Args)]
pub struct EncryptFileArgs {
    /// A key to encrypt the data key under: key id, key ARN, alias name or
    /// alias ARN. Repeat it to let any one of several keys decrypt the file.
    #[arg(
        long = "key",
        required_unless_present_any = ["raw_aes_key", "raw_rsa_key"],
        value_name = "KEY"
    )]
    pub keys: Vec<String>,
    /// Encryption context, bound to the file and its data keys (`k=v`,
    /// repeated or comma-separated, or a JSON object).
    #[arg(long, value_name = "K=V")]
    pub context: Vec<String>,
    /// Plaintext bytes per frame (default 4096, the SDK's; 1 to 67108864;
    /// for `--format keyward`, 1024 to 16777216, default 65536).
    #[arg(long, visible_alias = "frame-size", value_name = "BYTES")]
    pub frame_length: Option<u32>,
    /// `sdk`: the AWS Encryption SDK message format; `keyward`: keyward's
    /// earlier format.
    #[arg(long, value_enum, default_value_t = FileFormat::Sdk)]
    pub format: FileFormat,
    /// The algorithm suite (default: AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    /// or AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384 under
    /// forbid-encrypt-allow-decrypt).
    #[arg(long, value_name = "SUITE")]
    pub algorithm: Option<Suite>,
    #[command(flatten)]
    pub sdk: SdkFlags,
    #[command(flatten)]
    pub raw: RawKeyArgs,
    #[command(flatten)]
    pub io: FileIo,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FileFormat {
    Sdk,
    Keyward,
}

/// Flags both file commands share, as the SDK's CLI names them.
#[derive(Clone, Debug, Args)]
pub struct SdkFlags {
    /// forbid-encrypt-allow-decrypt, require-encrypt-allow-decrypt or
    /// require-encrypt-require-decrypt (the default).
    #[arg(long, default_value = "require-encrypt-require-decrypt", value_name = "POLICY")]
    pub commitment_policy: CommitmentPolicy,
    /// The most encrypted data keys a message may have.
    #[arg(long, value_name = "N")]
    pub max_encrypted_data_keys: Option<usize>,
}

#[derive(Debug, Args)]
pub struct DecryptFileArgs {
    /// Encryption context the file must have (`k=v`, repeated or
    /// comma-separated, or a JSON object): every pair must be in the file's context.
    #[arg(long, value_name = "K=V")]
    pub context: Vec<String>,
    /// Strict mode: decrypt only with these wrapping keys (repeatable).
    /// Without it, any `aws-kms` key of the message is tried (discovery).
    #[arg(long = "key", value_name = "KEY", conflicts_with_all = ["raw_aes_key", "raw_rsa_key"])]
    pub keys: Vec<String>,
    /// Discovery filter: only keys of these accounts (repeatable)...
    #[arg(long = "discovery-account", value_name = "ACCOUNT", requires = "discovery_partition")]
    pub discovery_accounts: Vec<String>,
    /// ...in this partition (`aws`, `aws-cn`, …).
    #[arg(
        long,
        value_name = "PARTITION",
        requires = "discovery_accounts",
        conflicts_with_all = ["raw_aes_key", "raw_rsa_key"]
    )]
    pub discovery_partition: Option<String>,
    #[command(flatten)]
    pub sdk: SdkFlags,
    #[command(flatten)]
    pub raw: RawKeyArgs,
    #[command(flatten)]
    pub io: FileIo,
}

#[derive(Clone, Debug, Args)]
pub struct FileIo {
    /// Threads that seal or open frames, 1 to 256 (default: one per core).
    #[arg(long, value_name = "N", value_parser = super::args::thread_count)]
    pub threads: Option<usize>,
    /// The input file, or `-` for standard input.
    #[arg(value_name = "IN")]
    pub in_path: String,
    /// The output file, or `-` for standard output. An existing file is
    /// replaced only on success.
    #[arg(value_name = "OUT")]
    pub out_path: String,
}

/// The buffer before the output: smaller than a batch of SDK frames
/// (256 KiB), which so reaches the file without being copied once more.
const OUTPUT_BUFFER: usize = 128 << 10;

/// The input of a command, opened; for `decrypt-file`, with its header read.
pub(super) struct Input {
    reader: Box<dyn ReadSend>,
    size: Option<u64>,
    header: Option<MessageHeader>,
}

impl Input {
    /// The header read by [`open_input`], once.
    pub(super) fn take_header(&mut self) -> Option<MessageHeader> {
        self.header.take()
    }
}

/// The header of a file to decrypt, in either format.
pub(super) enum MessageHeader {
    Keyward(ReadHeader),
    Sdk(esdk::ReadHeader),
}

/// A readable input that can be handed to the reading thread.
pub trait ReadSend: Read + Send {}
impl<R: Read + Send> ReadSend for R {}

/// Opens IN (for `decrypt-file`, and reads its header): done before the
/// state directory is locked, so `encrypt-file … - | decrypt-file - …` on one
/// state directory does not wait on itself. A header that cannot be read is
/// refused naming the file (`<stdin>` for `-`), as other inputs are.
pub(super) fn open_input(io: &FileIo, decrypt: Option<&DecryptFileArgs>) -> Result<Input, Failure> {
    let (mut reader, size): (Box<dyn ReadSend>, Option<u64>) = if io.in_path == "-" {
        (Box::new(std::io::stdin()), None)
    } else {
        let file = File::open(&io.in_path).map_err(|e| Failure::Usage(format!("cannot read `{}`: {e}", io.in_path)))?;
        let size = file.metadata().ok().map(|m| m.len());
        (Box::new(file), size)
    };
    let header = match decrypt {
        Some(args) => Some(
            read_header_of(&mut reader, args.sdk.max_encrypted_data_keys).map_err(|e| {
                let name = keyward::source::read::display_name(Path::new(&io.in_path));
                Failure::Refused(format!("cannot decrypt `{name}`: {e}"))
            })?,
        ),
        None => None,
    };
    Ok(Input { reader, size, header })
}

/// Reads either format's header: keyward's starts with `KWEF`, the SDK's
/// with its version byte (1 or 2).
fn read_header_of(reader: &mut Box<dyn ReadSend>, max_keys: Option<usize>) -> Result<MessageHeader, EnvelopeFailure> {
    let mut first = [0u8; 1];
    reader
        .read_exact(&mut first)
        .map_err(|_| EnvelopeFailure::Sdk(esdk::EsdkError::NotAMessage))?;
    let mut whole = (&first[..]).chain(&mut **reader);
    if first[0] == keyward::crypto::envelope::MAGIC[0] {
        Ok(MessageHeader::Keyward(keyward::crypto::envelope::read_header(
            &mut whole,
        )?))
    } else {
        Ok(MessageHeader::Sdk(esdk::read_header(&mut whole, max_keys)?))
    }
}

/// The stream work left once the runtime has made or decrypted the data
/// key; it runs after the state is saved and unlocked.
pub(super) enum Job {
    Seal { sealer: Sealing, input: Input, io: FileIo },
    Open { opener: Opening, input: Input, io: FileIo },
}

/// A stream ready to be sealed, in either format.
pub(super) enum Sealing {
    Keyward(Sealer),
    Sdk(SdkSealer),
}

/// A stream ready to be opened, in either format.
pub(super) enum Opening {
    Keyward(Opener),
    Sdk(SdkOpener),
}

type Work<'a> = &'a mut dyn FnMut(
    &mut &mut dyn ReadSend,
    &mut &mut (dyn Write + Send),
    &Options<'_>,
) -> Result<u64, EnvelopeFailure>;

/// `encrypt-file`, up to the stream: the data key and its encrypted copies.
pub(super) fn prepare_encrypt(kms: &mut impl KeyCalls, args: &EncryptFileArgs, input: Input) -> Result<Job, Failure> {
    let context = context_pairs("--context", &args.context)?;
    sdk_format_only(args)?;
    let sealer = match args.format {
        FileFormat::Keyward => {
            let frame_size = args.frame_length.unwrap_or(DEFAULT_FRAME_SIZE);
            if !FRAME_SIZES.contains(&frame_size) {
                return Err(Failure::Usage(format!(
                    "--frame-length {frame_size} is not between {} and {}",
                    FRAME_SIZES.start(),
                    FRAME_SIZES.end()
                )));
            }
            Sealing::Keyward(Sealer::new(kms, &args.keys, &context, frame_size).map_err(|e| refused(e, ""))?)
        }
        FileFormat::Sdk => {
            let settings = seal_settings(args)?;
            let mut sealer = SdkSealer::new(kms, &args.keys, &context, &settings).map_err(|e| refused(e, ""))?;
            for keyring in args.raw.keyrings(false)? {
                sealer.add_raw(&keyring, &settings).map_err(|e| refused(e, ""))?;
            }
            Sealing::Sdk(sealer)
        }
    };
    Ok(Job::Seal {
        sealer,
        input,
        io: args.io.clone(),
    })
}

/// `decrypt-file`, up to the stream: the data key, decrypted by the runtime.
pub(super) fn prepare_decrypt(
    kms: &mut impl KeyCalls,
    args: &DecryptFileArgs,
    mut input: Input,
) -> Result<Job, Failure> {
    let expected = context_pairs("--context", &args.context)?;
    let header = input
        .header
        .take()
        .ok_or_else(|| Failure::Usage("the input's header was not read".into()))?;
    let opener = match header {
        MessageHeader::Keyward(header) => {
            Opening::Keyward(Opener::new(kms, &expected, header).map_err(|e| refused(e, ""))?)
        }
        MessageHeader::Sdk(header) => {
            let settings = OpenSettings {
                required_context: expected,
                policy: args.sdk.commitment_policy,
                keys: args.keys.clone(),
                discovery_filter: args
                    .discovery_partition
                    .clone()
                    .map(|p| (p, args.discovery_accounts.clone())),
            };
            Opening::Sdk(SdkOpener::new(kms, &settings, header).map_err(|e| refused(e, ""))?)
        }
    };
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
                let bytes = stream(&io, input, false, &mut |input, output, options| match &sealer {
                    Sealing::Keyward(s) => s.seal(input, output, options).map_err(Into::into),
                    Sealing::Sdk(s) => s.seal(input, output, options).map_err(Into::into),
                })?;
                let keys = match &sealer {
                    Sealing::Keyward(s) => s.key_arns(),
                    Sealing::Sdk(s) => s.key_arns(),
                };
                Ok(summary(&io, json!({"Bytes": bytes, "KeyIds": keys}), || {
                    format!("{bytes}\t{}", keys.join(","))
                }))
            }
            Job::Open { opener, input, io } => {
                let bytes = stream(&io, input, true, &mut |input, output, options| match &opener {
                    Opening::Keyward(o) => o.open(input, output, options).map_err(Into::into),
                    Opening::Sdk(o) => o.open(input, output, options).map_err(Into::into),
                })?;
                let (key_arn, context) = match &opener {
                    Opening::Keyward(o) => (o.key_arn(), o.context().clone()),
                    Opening::Sdk(o) => (o.key_arn(), o.context()),
                };
                Ok(summary(
                    &io,
                    json!({"Bytes": bytes, "KeyId": key_arn, "EncryptionContext": context}),
                    || format!("{bytes}\t{key_arn}"),
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
/// terminal, and puts a file output in place only on success. With `spool`
/// (decryption), standard output too is written to a temporary file first
/// and copied out only on success.
fn stream(io: &FileIo, mut input: Input, spool: bool, work: Work<'_>) -> Result<u64, Failure> {
    let bar = progress_bar(input.size);
    let report = |n: u64| bar.set_position(n);
    let options = Options {
        workers: io
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .min(super::args::MAX_THREADS),
        progress: &report,
    };
    let reader: &mut dyn ReadSend = &mut *input.reader;
    let result = if io.out_path == "-" && spool {
        let partial = Partial::create(&std::env::temp_dir().join("keyward-decrypt-file"))?;
        let mut out = BufWriter::with_capacity(OUTPUT_BUFFER, &partial.file);
        let writer: &mut (dyn Write + Send) = &mut out;
        let result = work(&mut &mut *reader, &mut &mut *writer, &options).map_err(|e| refused(e, ""));
        let flushed = out.into_inner().map_err(|e| e.into_error());
        let failed = |e: std::io::Error| Failure::Usage(format!("cannot write to standard output: {e}"));
        match (result, flushed) {
            (Ok(n), Ok(mut file)) => {
                use std::io::Seek;
                file.seek(std::io::SeekFrom::Start(0)).map_err(failed)?;
                let mut stdout = std::io::stdout().lock();
                std::io::copy(&mut file, &mut stdout).map_err(failed)?;
                stdout.flush().map_err(failed).map(|()| n)
            }
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => Err(failed(e)),
        }
    } else if io.out_path == "-" {
        let mut out = BufWriter::with_capacity(OUTPUT_BUFFER, std::io::stdout());
        let writer: &mut (dyn Write + Send) = &mut out;
        work(&mut &mut *reader, &mut &mut *writer, &options)
            .map_err(|e| refused(e, " (the output so far is incomplete: discard it)"))
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
        let mut out = BufWriter::with_capacity(OUTPUT_BUFFER, &partial.file);
        let writer: &mut (dyn Write + Send) = &mut out;
        let result = work(&mut &mut *reader, &mut &mut *writer, &options).map_err(|e| refused(e, ""));
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
        let suffix = keyward::crypto::hex(&keyward::crypto::random_bytes(6));
        let path = dir.join(format!(".{name}.{suffix}.keyward-partial"));
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create_new(true);
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
