//! `--raw-aes-key FILE --key-namespace NS --key-name NAME` on `encrypt-file`
//! and `decrypt-file`: the AWS Encryption SDK's raw AES keyring, for files
//! made and opened offline (no state directory is opened when it is the
//! only key), or as an extra copy of a KMS-made file's data key.

use std::path::PathBuf;

use clap::Args;
use keyward::crypto::esdk::{self, RawAesKeyring, MAX_FRAME_LENGTH};
use keyward::kms::stream::sdk::{OpenSettings, SdkOpener, SdkSealer, SealSettings};
use zeroize::Zeroizing;

use super::envelope::{open_input, DecryptFileArgs, EncryptFileArgs, FileFormat, Job, MessageHeader, Opening, Sealing};
use super::kms::{context_pairs, Failure, KmsCommand};

#[derive(Clone, Debug, Args)]
pub struct RawAesArgs {
    /// A raw AES wrapping key for offline use: a file of exactly 16, 24 or
    /// 32 random bytes (`head -c 32 /dev/urandom > key.bin`), as the SDK's
    /// raw AES keyring. Needs --key-namespace and --key-name.
    #[arg(long, value_name = "FILE", requires_all = ["key_namespace", "key_name"])]
    pub raw_aes_key: Option<PathBuf>,
    /// The raw key's namespace (the SDK's provider id; not `aws-kms`).
    #[arg(long, value_name = "NAMESPACE", requires = "raw_aes_key")]
    pub key_namespace: Option<String>,
    /// The raw key's name (the SDK's key id): with the namespace, it must
    /// match the encrypting keyring's exactly to decrypt.
    #[arg(long, value_name = "NAME", requires = "raw_aes_key")]
    pub key_name: Option<String>,
}

impl RawAesArgs {
    /// The keyring the flags name, if any, with its key read from its file.
    pub(super) fn keyring(&self) -> Result<Option<RawAesKeyring>, Failure> {
        let (Some(path), Some(namespace), Some(name)) = (&self.raw_aes_key, &self.key_namespace, &self.key_name) else {
            return Ok(None);
        };
        let key = Zeroizing::new(
            std::fs::read(path).map_err(|e| Failure::Usage(format!("cannot read `{}`: {e}", path.display())))?,
        );
        RawAesKeyring::new(namespace, name, &key)
            .map(Some)
            .map_err(|e| Failure::Usage(format!("--raw-aes-key `{}`: {e}", path.display())))
    }
}

/// The stream job of a file command whose only key is a raw AES key; `None`
/// for any other command, which goes through the state directory.
pub(super) fn offline_job(command: &KmsCommand) -> Result<Option<Job>, Failure> {
    match command {
        KmsCommand::EncryptFile(args) if args.keys.is_empty() => match args.raw.keyring()? {
            Some(keyring) => encrypt(args, keyring).map(Some),
            None => Ok(None),
        },
        KmsCommand::DecryptFile(args) => match args.raw.keyring()? {
            Some(keyring) => decrypt(args, keyring).map(Some),
            None => Ok(None),
        },
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
        FileFormat::Keyward if args.raw.raw_aes_key.is_some() => Err(Failure::Usage(
            "--raw-aes-key writes the AWS Encryption SDK format: drop --format keyward".into(),
        )),
        _ => Ok(()),
    }
}

fn encrypt(args: &EncryptFileArgs, keyring: RawAesKeyring) -> Result<Job, Failure> {
    sdk_format_only(args)?;
    let context = context_pairs("--context", &args.context)?;
    let settings = seal_settings(args)?;
    let input = open_input(&args.io, None)?;
    let sealer = SdkSealer::raw_aes(&[keyring], &context, &settings).map_err(|e| Failure::Refused(e.to_string()))?;
    Ok(Job::Seal {
        sealer: Sealing::Sdk(sealer),
        input,
        io: args.io.clone(),
    })
}

fn decrypt(args: &DecryptFileArgs, keyring: RawAesKeyring) -> Result<Job, Failure> {
    let mut input = open_input(&args.io, Some(args))?;
    let read = match input.take_header() {
        Some(MessageHeader::Sdk(read)) => read,
        _ => {
            return Err(Failure::Refused(
                "--raw-aes-key opens AWS Encryption SDK messages; this is a keyward envelope file".into(),
            ))
        }
    };
    let settings = OpenSettings {
        required_context: context_pairs("--context", &args.context)?,
        policy: args.sdk.commitment_policy,
        ..OpenSettings::default()
    };
    let opener = SdkOpener::raw_aes(&[keyring], &settings, read).map_err(|e| Failure::Refused(e.to_string()))?;
    Ok(Job::Open {
        opener: Opening::Sdk(opener),
        input,
        io: args.io.clone(),
    })
}
