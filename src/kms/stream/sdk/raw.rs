//! Messages whose data key raw AES keyrings wrap (offline use, no KMS):
//! a fresh random data key wrapped under each keyring, and on decryption
//! the first encrypted data key one of the keyrings opens. A KMS-made
//! message can carry raw copies too ([`SdkSealer::add_raw_aes`]).

use std::collections::BTreeMap;

use super::{check_header, check_key_count, OpenSettings, SdkOpener, SdkSealer, SealSettings};
use crate::crypto::esdk::{self, RawAesKeyring, ReadHeader};
use crate::kms::stream::EnvelopeFailure;

impl SdkSealer {
    /// A message whose data key only `keyrings` wrap.
    pub fn raw_aes(
        keyrings: &[RawAesKeyring],
        context: &BTreeMap<String, String>,
        settings: &SealSettings,
    ) -> Result<SdkSealer, EnvelopeFailure> {
        let suite = settings.suite;
        settings.policy.check_encrypt(suite)?;
        if keyrings.is_empty() {
            return Err(EnvelopeFailure::KeyCount);
        }
        check_key_count(keyrings.len(), settings)?;
        let (context, signer) = esdk::message_context(suite, context)?;
        let data_key = crate::crypto::random_bytes(suite.key_len);
        let keys = keyrings
            .iter()
            .map(|k| k.wrap(&data_key, &context))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SdkSealer::sealing(settings, context, keys, data_key, signer))
    }

    /// Adds a copy of the data key wrapped by `keyring`.
    pub fn add_raw_aes(&mut self, keyring: &RawAesKeyring, settings: &SealSettings) -> Result<(), EnvelopeFailure> {
        check_key_count(self.header.keys.len() + 1, settings)?;
        let wrapped = keyring.wrap(&self.data_key, &self.header.context)?;
        self.header.keys.push(wrapped);
        Ok(())
    }
}

impl SdkOpener {
    /// Opens a message with the first of its encrypted data keys that one
    /// of `keyrings` unwraps. `settings.keys` and the discovery filter are
    /// for KMS keys and play no part here.
    pub fn raw_aes(
        keyrings: &[RawAesKeyring],
        settings: &OpenSettings,
        read: ReadHeader,
    ) -> Result<SdkOpener, EnvelopeFailure> {
        let header = &read.header;
        check_header(settings, header)?;
        // Each encrypted data key in turn, until one opens (the raw AES
        // keyring specification, "On Decrypt").
        let mut refused = None;
        for encrypted in &header.keys {
            for keyring in keyrings.iter().filter(|k| k.is_for(encrypted)) {
                match keyring.unwrap(encrypted, &header.context) {
                    Some(data_key) if data_key.len() == header.suite.key_len => {
                        return Ok(SdkOpener {
                            data_key,
                            key_arn: keyring.label(),
                            read,
                        })
                    }
                    _ => refused = Some(keyring.label()),
                }
            }
        }
        if let Some(keyring) = refused {
            return Err(EnvelopeFailure::RawKeyRefused { keyring });
        }
        Err(EnvelopeFailure::NoRawKey {
            keyrings: keyrings.iter().map(RawAesKeyring::label).collect(),
            found: header
                .keys
                .iter()
                .map(|k| {
                    format!(
                        "{} ({})",
                        k.provider_id,
                        String::from_utf8_lossy(&k.provider_info).escape_debug()
                    )
                })
                .collect(),
        })
    }
}
