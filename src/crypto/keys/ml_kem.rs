//! ML-KEM key pairs (`ML_KEM_512/768/1024`, FIPS 203): `Encapsulate` with
//! the public (encapsulation) key gives a 32-byte shared secret and its
//! ciphertext; `Decapsulate` with the private key recovers the secret. A
//! ciphertext of the right length never fails to decapsulate (FIPS 203's
//! implicit rejection gives an unrelated secret instead). Keys are stored as
//! their 64-byte seed (d, z), the PKCS#8 form the crate writes.

macro_rules! level {
    ($module:ident, $params:ident) => {
        pub(super) mod $module {
            use ml_kem::{$params, Decapsulate, Encapsulate};
            use spki::DecodePublicKey;
            use zeroize::Zeroizing;

            use super::super::error::Error;
            use super::super::rng;
            use super::super::spec::KeySpec;

            pub(in super::super) type DecapsulationKey = ml_kem::DecapsulationKey<$params>;
            pub(in super::super) type EncapsulationKey = ml_kem::EncapsulationKey<$params>;

            pub(in super::super) fn generate() -> Box<DecapsulationKey> {
                let random = crate::crypto::random_bytes(64);
                let mut seed = ml_kem::Seed::default();
                seed.copy_from_slice(&random);
                let key = Box::new(DecapsulationKey::from_seed(seed));
                zeroize::Zeroize::zeroize(seed.as_mut_slice());
                key
            }

            /// The ciphertext and the shared secret.
            pub(in super::super) fn encapsulate(key: &EncapsulationKey) -> (Vec<u8>, Zeroizing<Vec<u8>>) {
                let (ciphertext, secret) = key.encapsulate_with_rng(&mut rng::infallible());
                (ciphertext.to_vec(), Zeroizing::new(secret.to_vec()))
            }

            pub(in super::super) fn decapsulate(
                key: &DecapsulationKey,
                ciphertext: &[u8],
            ) -> Result<Zeroizing<Vec<u8>>, Error> {
                let secret = key.decapsulate_slice(ciphertext).map_err(|_| Error::Crypto)?;
                Ok(Zeroizing::new(secret.to_vec()))
            }

            pub(in super::super) fn public_key(spec: KeySpec, spki: &[u8]) -> Result<EncapsulationKey, Error> {
                EncapsulationKey::from_public_key_der(spki).map_err(|_| Error::InvalidPublicKey(spec))
            }
        }
    };
}

level!(ml_kem_512, MlKem512);
level!(ml_kem_768, MlKem768);
level!(ml_kem_1024, MlKem1024);
