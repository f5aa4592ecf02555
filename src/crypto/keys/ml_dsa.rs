//! ML-DSA key pairs (`ML_DSA_44/65/87`, FIPS 204): `ML_DSA_SHAKE_256` is
//! pure ML-DSA with an empty context, hedged (randomized) signing. A RAW
//! message is signed as is; an EXTERNAL_MU message is the 64-byte
//! representative μ of FIPS 204 §6.2 (Algorithm 7, line 6), which gives the
//! same signatures as RAW over the message it represents (AWS, *ML-DSA keys
//! in AWS KMS*). This is not HashML-DSA. Keys are stored as their 32-byte
//! seed, the PKCS#8 form the crate writes.

use hybrid_array::Array;

macro_rules! level {
    ($module:ident, $params:ident) => {
        pub(super) mod $module {
            use ml_dsa::{$params, Signature};
            use spki::DecodePublicKey;

            use super::super::error::Error;
            use super::super::message;
            use super::super::rng;
            use super::super::spec::{KeySpec, MessageType, SigningAlgorithm};
            use super::Array;

            pub(in super::super) type SigningKey = ml_dsa::SigningKey<$params>;
            pub(in super::super) type VerifyingKey = ml_dsa::VerifyingKey<$params>;

            pub(in super::super) fn generate() -> Box<SigningKey> {
                let seed = crate::crypto::random_bytes(32);
                let mut xi = ml_dsa::Seed::default();
                xi.copy_from_slice(&seed);
                let key = Box::new(SigningKey::from_seed(&xi));
                zeroize::Zeroize::zeroize(xi.as_mut_slice());
                key
            }

            pub(in super::super) fn sign(
                key: &SigningKey,
                algorithm: SigningAlgorithm,
                message_type: MessageType,
                message: &[u8],
            ) -> Result<Vec<u8>, Error> {
                message::check(algorithm, message_type, message)?;
                let expanded = key.expanded_key();
                let signature = match message_type {
                    MessageType::ExternalMu => {
                        let mu = Array::try_from(message).map_err(|_| Error::Crypto)?;
                        expanded.sign_mu_randomized(&mu, &mut rng::fallible())
                    }
                    _ => expanded.sign_randomized(message, &[], &mut rng::fallible()),
                };
                Ok(signature.map_err(|_| Error::Crypto)?.encode().to_vec())
            }

            pub(in super::super) fn verify(
                key: &VerifyingKey,
                algorithm: SigningAlgorithm,
                message_type: MessageType,
                message: &[u8],
                signature: &[u8],
            ) -> Result<(), Error> {
                message::check(algorithm, message_type, message)?;
                let signature = Signature::<$params>::try_from(signature).map_err(|_| Error::Crypto)?;
                let valid = match message_type {
                    MessageType::ExternalMu => {
                        let mu = Array::try_from(message).map_err(|_| Error::Crypto)?;
                        key.verify_mu(&mu, &signature)
                    }
                    _ => key.verify_with_context(message, &[], &signature),
                };
                if valid {
                    Ok(())
                } else {
                    Err(Error::Crypto)
                }
            }

            pub(in super::super) fn public_key(spec: KeySpec, spki: &[u8]) -> Result<VerifyingKey, Error> {
                VerifyingKey::from_public_key_der(spki).map_err(|_| Error::InvalidPublicKey(spec))
            }
        }
    };
}

level!(ml_dsa_44, MlDsa44);
level!(ml_dsa_65, MlDsa65);
level!(ml_dsa_87, MlDsa87);
