//! The `aws-kms` keyring of the AWS Encryption SDK over the runtime: a data
//! key from `GenerateDataKey` under the first wrapping key and `Encrypt`ed
//! under each further one, each kept as an encrypted data key with provider
//! id `aws-kms`, the key ARN as provider info and the KMS ciphertext blob as
//! the key (*AWS KMS keyrings*,
//! <https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/use-kms-keyring.html>).
//! Decryption asks the runtime to `Decrypt` the copies it may use, in order:
//! in strict mode only those of the named keys, in discovery mode any,
//! limited by a discovery filter (partition and accounts).

mod raw;

use std::collections::BTreeMap;
use std::io::{Read, Write};

use zeroize::Zeroizing;

use super::{refused, EnvelopeFailure, KeyCalls};
use crate::crypto::envelope::Options;
use crate::crypto::esdk::{
    self, CommitmentPolicy, EncryptedDataKey, EsdkError, Header, RawAesKeyring, ReadHeader, Signer, Suite,
};
use crate::kms::error::{ErrorName, KmsError};

/// The provider id of AWS KMS keyrings.
pub const PROVIDER_ID: &str = "aws-kms";

/// How to write a message.
#[derive(Clone, Debug)]
pub struct SealSettings {
    pub suite: Suite,
    pub frame_length: u32,
    pub policy: CommitmentPolicy,
    pub max_keys: Option<usize>,
}

impl Default for SealSettings {
    fn default() -> Self {
        SealSettings {
            suite: Suite::DEFAULT,
            frame_length: esdk::DEFAULT_FRAME_LENGTH,
            policy: CommitmentPolicy::default(),
            max_keys: None,
        }
    }
}

/// Which encrypted data keys decryption may try.
#[derive(Clone, Debug, Default)]
pub struct OpenSettings {
    /// Pairs that must be in the message's encryption context (it may hold more).
    pub required_context: BTreeMap<String, String>,
    pub policy: CommitmentPolicy,
    /// Strict mode: only these wrapping keys (key ARNs, or ids and aliases
    /// resolved in the caller's partition). Empty: discovery mode.
    pub keys: Vec<String>,
    /// Discovery filter: the partition and the accounts whose keys may be tried.
    pub discovery_filter: Option<(String, Vec<String>)>,
}

/// A message ready to be written: the data key (zeroized), the header with
/// its encrypted copies, and the signing key of a signing suite.
pub struct SdkSealer {
    data_key: Zeroizing<Vec<u8>>,
    header: Header,
    signer: Option<Signer>,
    /// The wrapping keys, in the order of the header's encrypted data keys.
    wrapping_keys: Vec<String>,
}

/// Refuses more encrypted data keys than `--max-encrypted-data-keys`.
fn check_key_count(count: usize, settings: &SealSettings) -> Result<(), EnvelopeFailure> {
    match settings.max_keys {
        Some(max) if count > max => Err(EsdkError::TooManyKeys { found: count, max }.into()),
        _ => Ok(()),
    }
}

impl SdkSealer {
    /// The sealer of a new message whose data key `keys` carry, whichever
    /// keyrings wrapped them; `wrapping_keys` names them.
    fn sealing(
        settings: &SealSettings,
        context: BTreeMap<String, String>,
        keys: Vec<EncryptedDataKey>,
        wrapping_keys: Vec<String>,
        data_key: Zeroizing<Vec<u8>>,
        signer: Option<Signer>,
    ) -> SdkSealer {
        let suite = settings.suite;
        let header = Header {
            suite,
            message_id: esdk::new_message_id(suite),
            context,
            keys,
            frame_length: settings.frame_length,
        };
        SdkSealer {
            data_key,
            header,
            signer,
            wrapping_keys,
        }
    }

    pub fn new(
        kms: &mut impl KeyCalls,
        key_ids: &[String],
        context: &BTreeMap<String, String>,
        settings: &SealSettings,
    ) -> Result<SdkSealer, EnvelopeFailure> {
        let suite = settings.suite;
        settings.policy.check_encrypt(suite)?;
        let (first, others) = key_ids.split_first().ok_or(EnvelopeFailure::KeyCount)?;
        check_key_count(key_ids.len(), settings)?;
        let (context, signer) = esdk::message_context(suite, context)?;
        let generated = kms
            .generate_data_key(first, suite.key_len, &context)
            .map_err(refused("GenerateDataKey", first))?;
        let data_key = generated.plaintext.ok_or(EsdkError::WrongDataKey)?;
        let mut arns = vec![generated.key_arn.clone()];
        let mut keys = vec![edk(generated.key_arn, generated.ciphertext_blob)];
        for other in others {
            let sealed = kms
                .encrypt(other, &data_key, &context)
                .map_err(refused("Encrypt", other))?;
            arns.push(sealed.key_arn.clone());
            keys.push(edk(sealed.key_arn, sealed.ciphertext_blob));
        }
        Ok(SdkSealer::sealing(
            settings,
            context,
            keys,
            arns,
            Zeroizing::new(data_key.to_vec()),
            signer,
        ))
    }

    /// The wrapping keys: KMS keys as ARNs, raw keys as `namespace/name`.
    pub fn key_arns(&self) -> Vec<String> {
        self.wrapping_keys.clone()
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Writes the message; returns the plaintext bytes sealed.
    pub fn seal(
        &self,
        input: &mut (impl Read + Send),
        output: &mut (impl Write + Send),
        options: &Options<'_>,
    ) -> Result<u64, EsdkError> {
        esdk::seal(
            &self.data_key,
            &self.header,
            self.signer.as_ref(),
            input,
            output,
            options,
        )
    }
}

fn edk(key_arn: String, ciphertext: Vec<u8>) -> EncryptedDataKey {
    EncryptedDataKey {
        provider_id: PROVIDER_ID.to_owned(),
        provider_info: key_arn.into_bytes(),
        ciphertext,
    }
}

/// Refuses a suite the commitment policy does not allow, or a context
/// without a required pair.
fn check_header(settings: &OpenSettings, header: &Header) -> Result<(), EnvelopeFailure> {
    settings.policy.check_decrypt(header.suite)?;
    match settings
        .required_context
        .iter()
        .find(|(k, v)| header.context.get(*k) != Some(*v))
    {
        Some((key, value)) => Err(EnvelopeFailure::ContextMismatch {
            key: key.clone(),
            value: value.clone(),
        }),
        None => Ok(()),
    }
}

/// A message ready to be read: its header and the data key the runtime
/// decrypted.
pub struct SdkOpener {
    data_key: Zeroizing<Vec<u8>>,
    read: ReadHeader,
    key_arn: String,
}

/// Each encrypted data key of a message as `PROVIDER (INFO)`: `aws-kms (ARN)`
/// for a KMS key, the namespace and key name for a raw key (a raw AES key's
/// name without the IV that follows it).
fn key_names(header: &Header) -> Vec<String> {
    header
        .keys
        .iter()
        .map(|k| {
            let info = match k.provider_id.as_str() {
                PROVIDER_ID => &k.provider_info[..],
                _ => RawAesKeyring::key_name_in(&k.provider_info).unwrap_or(&k.provider_info),
            };
            format!("{} ({})", k.provider_id, String::from_utf8_lossy(info).escape_debug())
        })
        .collect()
}

/// `arn:PARTITION:kms:REGION:ACCOUNT:key/ID` → (partition, account).
fn partition_and_account(arn: &str) -> Option<(&str, &str)> {
    crate::arn::Arn::parse(arn)
        .filter(|arn| arn.service == "kms")
        .map(|arn| (arn.partition, arn.account))
}

impl SdkOpener {
    pub fn new(
        kms: &mut impl KeyCalls,
        settings: &OpenSettings,
        read: ReadHeader,
    ) -> Result<SdkOpener, EnvelopeFailure> {
        let header = &read.header;
        check_header(settings, header)?;
        let context = &header.context;
        let strict: Vec<String> = settings.keys.iter().map(|k| kms.key_arn(k)).collect();
        let mut failures = Vec::new();
        for encrypted in &header.keys {
            if encrypted.provider_id != PROVIDER_ID {
                continue;
            }
            let Ok(arn) = std::str::from_utf8(&encrypted.provider_info) else {
                continue;
            };
            if !strict.is_empty() && !strict.iter().any(|k| k == arn) {
                continue;
            }
            if let Some((partition, accounts)) = &settings.discovery_filter {
                match partition_and_account(arn) {
                    Some((p, a)) if p == partition && accounts.iter().any(|x| x == a) => {}
                    _ => continue,
                }
            }
            match kms.decrypt(&encrypted.ciphertext, arn, context) {
                Ok(decrypted) if decrypted.key_arn == arn && decrypted.plaintext.len() == header.suite.key_len => {
                    return Ok(SdkOpener {
                        data_key: Zeroizing::new(decrypted.plaintext.to_vec()),
                        key_arn: decrypted.key_arn,
                        read,
                    })
                }
                Ok(_) => failures.push((arn.to_owned(), KmsError::new(ErrorName::InvalidCiphertextException, ""))),
                Err(error) => failures.push((arn.to_owned(), error)),
            }
        }
        if failures.is_empty() {
            let allowed = match (strict.is_empty(), settings.discovery_filter.is_some()) {
                (false, false) => "one of the keys given",
                (false, true) => "one of the keys given and in the discovery filter",
                (true, true) => "in the discovery filter",
                (true, false) => "an AWS KMS key",
            };
            return Err(EnvelopeFailure::NoKeyAllowed {
                allowed,
                found: key_names(header),
            });
        }
        Err(EnvelopeFailure::NoUsableKey(failures))
    }

    /// The wrapping key that decrypted the data key.
    pub fn key_arn(&self) -> &str {
        &self.key_arn
    }

    pub fn header(&self) -> &Header {
        &self.read.header
    }

    /// The caller's part of the encryption context (without the SDK's own keys).
    pub fn context(&self) -> BTreeMap<String, String> {
        let mut context = self.read.header.context.clone();
        context.retain(|k, _| !k.starts_with(esdk::RESERVED_PREFIX));
        context
    }

    /// Writes the plaintext; returns the bytes written. On an error, what was
    /// written is not authenticated and must be discarded.
    pub fn open(
        &self,
        input: &mut (impl Read + Send),
        output: &mut (impl Write + Send),
        options: &Options<'_>,
    ) -> Result<u64, EsdkError> {
        esdk::open(&self.data_key, &self.read, input, output, options)
    }
}
