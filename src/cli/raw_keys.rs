//! `--raw-aes-key FILE` and `--raw-rsa-key KEY` (each with `--key-namespace
//! NS --key-name NAME`, RSA with `--rsa-padding` and, for an encrypted
//! private key, `--raw-rsa-key-passphrase-file`) on `encrypt-file` and
//! `decrypt-file`: the AWS Encryption SDK's raw keyrings, for files made and
//! opened offline (no state directory is opened when raw keys are the only
//! keys), or as extra copies of a KMS-made file's data key. Several raw keys
//! act as the SDK's multi-keyring: each wraps the data key, any one decrypts.

use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use keyward::crypto::esdk::{self, RawAesKeyring, RawKeyring, RawRsaKeyring, RsaPadding, MAX_FRAME_LENGTH};
use keyward::kms::stream::sdk::{OpenSettings, SdkOpener, SdkSealer, SealSettings};
use zeroize::Zeroizing;

use super::envelope::{open_input, DecryptFileArgs, EncryptFileArgs, FileFormat, Job, MessageHeader, Opening, Sealing};
use super::kms::{context_pairs, Failure, KmsCommand};

/// The raw keys of one command, in command-line order.
#[derive(Clone, Debug, Default)]
pub struct RawKeyArgs {
    pub keys: Vec<RawKeySpec>,
}

/// One raw key as the command line names it; its key file is read when
/// the keyring is made.
#[derive(Clone, Debug)]
pub struct RawKeySpec {
    pub kind: RawKind,
    pub path: PathBuf,
    pub namespace: String,
    pub name: String,
    /// The file whose first line is the passphrase of an encrypted RSA
    /// private key.
    pub passphrase_file: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawKind {
    Aes,
    Rsa(RsaPadding),
}

const AES: &str = "raw_aes_key";
const RSA: &str = "raw_rsa_key";
const NAMESPACE: &str = "key_namespace";
const NAME: &str = "key_name";
const PADDING: &str = "rsa_padding";
const PASSPHRASE: &str = "raw_rsa_key_passphrase_file";

impl Args for RawKeyArgs {
    fn augment_args(cmd: Command) -> Command {
        let repeated = |id: &'static str, long: &'static str, value: &'static str, help: &'static str| {
            Arg::new(id)
                .long(long)
                .value_name(value)
                .action(ArgAction::Append)
                .help(help)
        };
        cmd.arg(
            repeated(
                AES,
                "raw-aes-key",
                "FILE",
                "A raw AES wrapping key for offline use: a file of exactly 16, 24 or 32 random bytes \
                 (`head -c 32 /dev/urandom > key.bin`), as the SDK's raw AES keyring. Needs --key-namespace \
                 and --key-name. Repeatable, with --raw-rsa-key too: each wraps the data key, any one decrypts",
            )
            .value_parser(clap::value_parser!(PathBuf)),
        )
        .arg(
            repeated(
                RSA,
                "raw-rsa-key",
                "KEY",
                "A raw RSA key for offline use, as the SDK's raw RSA keyring: a public key (X.509 `PUBLIC KEY` \
                 or PKCS #1 `RSA PUBLIC KEY`) or private key (PKCS #8 `PRIVATE KEY`, encrypted PKCS #8 \
                 `ENCRYPTED PRIVATE KEY` or PKCS #1 `RSA PRIVATE KEY`), in PEM or DER, to encrypt; the private \
                 key to decrypt. Needs --key-namespace, --key-name and --rsa-padding. Repeatable",
            )
            .value_parser(clap::value_parser!(PathBuf)),
        )
        .arg(
            repeated(
                NAMESPACE,
                "key-namespace",
                "NAMESPACE",
                "The raw key's namespace (the SDK's provider id; not `aws-kms`). With several raw keys, give \
                 one for all, or one after each --raw-aes-key/--raw-rsa-key",
            )
            .requires("raw_key"),
        )
        .arg(
            repeated(
                NAME,
                "key-name",
                "NAME",
                "The raw key's name (the SDK's key id): with the namespace, it must match the encrypting \
                 keyring's exactly to decrypt. With several raw keys, one after each",
            )
            .requires("raw_key"),
        )
        .arg(
            repeated(
                PADDING,
                "rsa-padding",
                "PADDING",
                "The raw RSA key's padding, as the SDK names it: RSA_OAEP_SHA256_MGF1, RSA_OAEP_SHA1_MGF1, \
                 RSA_OAEP_SHA384_MGF1, RSA_OAEP_SHA512_MGF1 or RSA_PKCS1. The file does not record it: \
                 decrypt with the padding it was encrypted with",
            )
            .value_parser(|s: &str| s.parse::<RsaPadding>())
            .requires(RSA),
        )
        .arg(
            repeated(
                PASSPHRASE,
                "raw-rsa-key-passphrase-file",
                "FILE",
                "The file whose first line is the passphrase of an encrypted RSA private key (as openssl's \
                 `-passin file:`; never on the command line). With several RSA keys, one for all, or one \
                 after each key that needs it",
            )
            .value_parser(clap::value_parser!(PathBuf))
            .requires(RSA),
        )
        .group(clap::ArgGroup::new("raw_key").args([AES, RSA]).multiple(true))
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for RawKeyArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut keys: Vec<(usize, RawKind, PathBuf)> = Vec::new();
        for (id, is_rsa) in [(AES, false), (RSA, true)] {
            for (index, path) in occurrences::<PathBuf>(matches, id) {
                // The padding is filled in below.
                let kind = if is_rsa {
                    RawKind::Rsa(RsaPadding::OaepSha256)
                } else {
                    RawKind::Aes
                };
                keys.push((index, kind, path));
            }
        }
        keys.sort_by_key(|k| k.0);
        let starts: Vec<usize> = keys.iter().map(|k| k.0).collect();
        let everyone: Vec<usize> = (0..keys.len()).collect();
        let rsa: Vec<usize> = everyone
            .iter()
            .copied()
            .filter(|&i| keys[i].1 != RawKind::Aes)
            .collect();
        let namespaces = assign::<String>(matches, (NAMESPACE, "--key-namespace", true), &starts, &everyone)?;
        let names = assign::<String>(matches, (NAME, "--key-name", true), &starts, &everyone)?;
        let paddings = assign::<RsaPadding>(matches, (PADDING, "--rsa-padding", true), &starts, &rsa)?;
        let passphrase = (PASSPHRASE, "--raw-rsa-key-passphrase-file", false);
        let passphrases = assign::<PathBuf>(matches, passphrase, &starts, &rsa)?;
        let keys = keys
            .into_iter()
            .enumerate()
            .map(|(i, (_, kind, path))| RawKeySpec {
                kind: match kind {
                    RawKind::Aes => RawKind::Aes,
                    RawKind::Rsa(_) => RawKind::Rsa(paddings[i].unwrap_or(RsaPadding::OaepSha256)),
                },
                path,
                namespace: namespaces[i].clone().unwrap_or_default(),
                name: names[i].clone().unwrap_or_default(),
                passphrase_file: passphrases[i].clone(),
            })
            .collect();
        Ok(RawKeyArgs { keys })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// Each value of `id` with its place on the command line.
fn occurrences<T: Clone + Send + Sync + 'static>(matches: &ArgMatches, id: &str) -> Vec<(usize, T)> {
    match (matches.indices_of(id), matches.get_many::<T>(id)) {
        (Some(indices), Some(values)) => indices.zip(values.cloned()).collect(),
        _ => Vec::new(),
    }
}

/// The value of option `id` for each raw key of `needing` (indices into the
/// keys, which start at `starts` on the command line); `None` for the
/// others. Given once, it applies to every key that needs it; given more
/// often, each value belongs to the raw key flag before it, and, when the
/// option is `required`, each key that needs one has exactly one.
fn assign<T: Clone + Send + Sync + 'static>(
    matches: &ArgMatches,
    (id, flag, required): (&str, &str, bool),
    starts: &[usize],
    needing: &[usize],
) -> Result<Vec<Option<T>>, clap::Error> {
    let given = occurrences::<T>(matches, id);
    let mut out = vec![None; starts.len()];
    let usage = |message: String| clap::Error::raw(clap::error::ErrorKind::ArgumentConflict, message + "\n");
    if needing.is_empty() || (given.is_empty() && !required) {
        return Ok(out);
    }
    match given.as_slice() {
        [] => {
            return Err(usage(format!(
                "{flag} is required with {}",
                if id == PADDING {
                    "--raw-rsa-key"
                } else {
                    "--raw-aes-key and --raw-rsa-key"
                }
            )))
        }
        [(_, value)] => {
            for &i in needing {
                out[i] = Some(value.clone());
            }
        }
        several => {
            for (index, value) in several {
                // The raw key flag just before this option.
                let owner = starts.iter().rposition(|&start| start < *index);
                match owner {
                    Some(i) if needing.contains(&i) && out[i].is_none() => out[i] = Some(value.clone()),
                    _ => {
                        return Err(usage(format!(
                            "with several raw keys, give {flag} once for all, or once after each raw key it \
                             belongs to (`--raw-rsa-key A.pem --key-name a --raw-aes-key b.bin --key-name b`)"
                        )))
                    }
                }
            }
            if required && needing.iter().any(|&i| out[i].is_none()) {
                return Err(usage(format!("each raw key needs its own {flag} after it")));
            }
        }
    }
    Ok(out)
}

impl RawKeyArgs {
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keyrings the flags name, with their keys read from their files;
    /// for decryption, every RSA key must be a private key.
    pub(super) fn keyrings(&self, decrypting: bool) -> Result<Vec<RawKeyring>, Failure> {
        self.keys.iter().map(|spec| spec.keyring(decrypting)).collect()
    }
}

impl RawKeySpec {
    fn keyring(&self, decrypting: bool) -> Result<RawKeyring, Failure> {
        let path = &self.path;
        let key = Zeroizing::new(
            std::fs::read(path).map_err(|e| Failure::Usage(format!("cannot read `{}`: {e}", path.display())))?,
        );
        let keyring: RawKeyring = match self.kind {
            RawKind::Aes => RawAesKeyring::new(&self.namespace, &self.name, &key)
                .map_err(|e| Failure::Usage(format!("--raw-aes-key `{}`: {e}", path.display())))?
                .into(),
            RawKind::Rsa(padding) => {
                let passphrase = self.passphrase_file.as_deref().map(read_passphrase).transpose()?;
                let keyring = RawRsaKeyring::from_key(
                    &self.namespace,
                    &self.name,
                    padding,
                    &key,
                    passphrase.as_deref().map(|p| &p[..]),
                )
                .map_err(|e| Failure::Usage(format!("--raw-rsa-key `{}`: {e}", path.display())))?;
                if decrypting && !keyring.can_decrypt() {
                    return Err(Failure::Usage(format!(
                        "--raw-rsa-key `{}` is a public key: decryption needs the private key",
                        path.display()
                    )));
                }
                keyring.into()
            }
        };
        Ok(keyring)
    }
}

/// The first line of a passphrase file, without its line ending (as
/// openssl's `-passin file:` reads it).
fn read_passphrase(path: &std::path::Path) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let file = Zeroizing::new(
        std::fs::read(path).map_err(|e| Failure::Usage(format!("cannot read `{}`: {e}", path.display())))?,
    );
    let line = file.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    Ok(Zeroizing::new(line.to_vec()))
}

/// The stream job of a file command whose only keys are raw keys; `None`
/// for any other command, which goes through the state directory.
pub(super) fn offline_job(command: &KmsCommand) -> Result<Option<Job>, Failure> {
    match command {
        KmsCommand::EncryptFile(args) if args.keys.is_empty() && !args.raw.is_empty() => {
            encrypt(args, args.raw.keyrings(false)?).map(Some)
        }
        KmsCommand::DecryptFile(args) if !args.raw.is_empty() => decrypt(args, args.raw.keyrings(true)?).map(Some),
        _ => Ok(None),
    }
}

/// The settings of an SDK message `encrypt-file` writes.
pub(super) fn seal_settings(args: &EncryptFileArgs) -> Result<SealSettings, Failure> {
    let frame_length = args.frame_length.unwrap_or(esdk::DEFAULT_FRAME_LENGTH);
    if frame_length == 0 || frame_length > MAX_FRAME_LENGTH {
        return Err(Failure::Usage(format!(
            "--frame-length {frame_length} is not between 1 and {MAX_FRAME_LENGTH}"
        )));
    }
    let policy = args.sdk.commitment_policy;
    Ok(SealSettings {
        suite: args.algorithm.unwrap_or_else(|| policy.default_suite()),
        frame_length,
        policy,
        max_keys: args.sdk.max_encrypted_data_keys,
    })
}

/// Refuses `--format keyward` with a raw key: only the SDK format has raw keyrings.
pub(super) fn sdk_format_only(args: &EncryptFileArgs) -> Result<(), Failure> {
    match args.format {
        FileFormat::Keyward if !args.raw.is_empty() => Err(Failure::Usage(
            "raw keys write the AWS Encryption SDK format: drop --format keyward".into(),
        )),
        _ => Ok(()),
    }
}

fn encrypt(args: &EncryptFileArgs, keyrings: Vec<RawKeyring>) -> Result<Job, Failure> {
    sdk_format_only(args)?;
    let context = context_pairs("--context", &args.context)?;
    let settings = seal_settings(args)?;
    let input = open_input(&args.io, None)?;
    let sealer = SdkSealer::raw(&keyrings, &context, &settings).map_err(|e| Failure::Refused(e.to_string()))?;
    Ok(Job::Seal {
        sealer: Sealing::Sdk(sealer),
        input,
        io: args.io.clone(),
    })
}

fn decrypt(args: &DecryptFileArgs, keyrings: Vec<RawKeyring>) -> Result<Job, Failure> {
    let mut input = open_input(&args.io, Some(args))?;
    let read = match input.take_header() {
        Some(MessageHeader::Sdk(read)) => read,
        _ => {
            return Err(Failure::Refused(
                "raw keys open AWS Encryption SDK messages; this is a keyward envelope file".into(),
            ))
        }
    };
    let settings = OpenSettings {
        required_context: context_pairs("--context", &args.context)?,
        policy: args.sdk.commitment_policy,
        ..OpenSettings::default()
    };
    let opener = SdkOpener::raw(&keyrings, &settings, read).map_err(|e| Failure::Refused(e.to_string()))?;
    Ok(Job::Open {
        opener: Opening::Sdk(opener),
        input,
        io: args.io.clone(),
    })
}
