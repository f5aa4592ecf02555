//! Messages whose data key raw keyrings (AES or RSA) wrap, for offline use
//! with no KMS. Several keyrings act as the SDK's multi-keyring: a fresh
//! random data key wrapped under each, and on decryption each keyring in
//! turn tries the message's encrypted data keys until one opens. A
//! KMS-made message can carry raw copies too ([`SdkSealer::add_raw`]).

use std::collections::BTreeMap;

use super::{check_header, check_key_count, OpenSettings, SdkOpener, SdkSealer, SealSettings};
use crate::crypto::esdk::{self, RawKeyring, ReadHeader};
use crate::kms::stream::EnvelopeFailure;

impl SdkSealer {
    /// A message whose data key only `keyrings` wrap, in that order.
    pub fn raw(
        keyrings: &[RawKeyring],
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
        let labels = keyrings.iter().map(RawKeyring::label).collect();
        Ok(SdkSealer::sealing(settings, context, keys, labels, data_key, signer))
    }

    /// Adds a copy of the data key wrapped by `keyring`.
    pub fn add_raw(&mut self, keyring: &RawKeyring, settings: &SealSettings) -> Result<(), EnvelopeFailure> {
        check_key_count(self.header.keys.len() + 1, settings)?;
        let wrapped = keyring.wrap(&self.data_key, &self.header.context)?;
        self.header.keys.push(wrapped);
        self.wrapping_keys.push(keyring.label());
        Ok(())
    }
}

impl SdkOpener {
    /// Opens a message with the first keyring, in order, that unwraps one
    /// of its encrypted data keys (the multi-keyring specification, "On
    /// Decrypt"; each keyring tries the keys in the message's order). A
    /// data key is kept only if the message's key commitment and header tag
    /// check with it. `settings.keys` and the discovery filter are for KMS
    /// keys and play no part here.
    pub fn raw(
        keyrings: &[RawKeyring],
        settings: &OpenSettings,
        read: ReadHeader,
    ) -> Result<SdkOpener, EnvelopeFailure> {
        let header = &read.header;
        check_header(settings, header)?;
        let mut refused = Vec::new();
        for keyring in keyrings {
            for encrypted in header.keys.iter().filter(|k| keyring.is_for(k)) {
                match keyring.unwrap(encrypted, &header.context) {
                    Some(data_key) if esdk::is_data_key_of(&data_key, &read) => {
                        return Ok(SdkOpener {
                            data_key,
                            key_arn: keyring.label(),
                            read,
                        })
                    }
                    _ => refused.push(keyring.label()),
                }
            }
        }
        if !refused.is_empty() {
            refused.dedup();
            return Err(EnvelopeFailure::RawKeyRefused {
                keyring: refused.join(", "),
            });
        }
        Err(EnvelopeFailure::NoRawKey {
            keyrings: keyrings.iter().map(RawKeyring::label).collect(),
            found: super::key_names(header),
        })
    }
}
