//! NIST and SECG elliptic-curve key pairs (`ECC_NIST_P256/P384/P521`,
//! `ECC_SECG_P256K1`): ECDSA over SHA-256/384/512 with DER-encoded
//! signatures (ANSI X9.62, as AWS returns them), and ECDH returning the raw
//! shared secret, the x-coordinate of the shared point (what
//! `DeriveSharedSecret` returns).
//!
//! Verification accepts both halves of the s range: secp256k1's crate
//! accepts only low-s signatures, while ECDSA (and other signers, such as
//! OpenSSL) allows either, so a signature is normalized before checking.

use zeroize::Zeroizing;

/// One module per curve, each with the same functions.
macro_rules! curve {
    ($module:ident, $krate:ident) => {
        pub(super) mod $module {
            use $krate::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
            use $krate::ecdsa::{Signature, SigningKey, VerifyingKey};
            use $krate::pkcs8::DecodePublicKey;
            pub(in super::super) use $krate::{PublicKey, SecretKey};

            use super::super::error::Error;
            use super::super::message;
            use super::super::rng;
            use super::super::spec::{KeySpec, MessageType, SigningAlgorithm};
            use super::Zeroizing;

            pub(in super::super) fn generate() -> SecretKey {
                <SecretKey as elliptic_curve::Generate>::generate_from_rng(&mut rng::infallible())
            }

            pub(in super::super) fn sign(
                key: &SecretKey,
                algorithm: SigningAlgorithm,
                message_type: MessageType,
                message: &[u8],
            ) -> Result<Vec<u8>, Error> {
                let digest = message::sha2_digest(algorithm, message_type, message)?;
                let signature: Signature = SigningKey::from(key)
                    .sign_prehash(&digest)
                    .map_err(|_| Error::Crypto)?;
                Ok(signature.to_der().as_bytes().to_vec())
            }

            pub(in super::super) fn verify(
                key: &PublicKey,
                algorithm: SigningAlgorithm,
                message_type: MessageType,
                message: &[u8],
                signature: &[u8],
            ) -> Result<(), Error> {
                let digest = message::sha2_digest(algorithm, message_type, message)?;
                let signature = Signature::from_der(signature)
                    .map_err(|_| Error::Crypto)?
                    .normalize_s();
                VerifyingKey::from(key)
                    .verify_prehash(&digest, &signature)
                    .map_err(|_| Error::Crypto)
            }

            pub(in super::super) fn derive_shared_secret(
                key: &SecretKey,
                spec: KeySpec,
                peer_spki: &[u8],
            ) -> Result<Zeroizing<Vec<u8>>, Error> {
                let peer = PublicKey::from_public_key_der(peer_spki).map_err(|_| Error::InvalidPublicKey(spec))?;
                let shared = key.diffie_hellman(&peer);
                Ok(Zeroizing::new(shared.raw_secret_bytes().to_vec()))
            }
        }
    };
}

curve!(p256_curve, p256);
curve!(p384_curve, p384);
curve!(p521_curve, p521);
curve!(k256_curve, k256);
