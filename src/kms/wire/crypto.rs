//! The cryptographic operations. Responses that carry a plaintext or a data
//! key hold it in base64; whoever writes the response out wipes it after
//! (`wire::wipe`).

use serde_json::{json, Value};

use super::members::Members;
use super::shapes::b64;
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::runtime::{Clock, Runtime};

type Call = Result<Value, KmsError>;

const SYMMETRIC_DEFAULT: &str = "SYMMETRIC_DEFAULT";

/// The members keyward cannot honour yet are refused, never ignored: a
/// `DryRun` ignored would do what the caller asked not to be done.
fn refuse_unsupported(m: &Members<'_>, algorithms: &[&str]) -> Result<(), KmsError> {
    let unsupported = |what: &str| Err(KmsError::new(ErrorName::UnsupportedOperationException, what.to_owned()));
    if m.bool("DryRun")? {
        return unsupported("keyward does not implement DryRun yet; the call was not made");
    }
    if m.raw("Recipient").is_some() {
        return unsupported("keyward has no Nitro Enclaves attestation; remove Recipient");
    }
    for member in algorithms {
        match m.opt_str(member)? {
            None | Some(SYMMETRIC_DEFAULT) => {}
            Some(algorithm @ ("RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256" | "SM2PKE")) => {
                return Err(KmsError::new(
                    ErrorName::InvalidKeyUsageException,
                    format!("{algorithm} is not valid for a symmetric encryption key; use SYMMETRIC_DEFAULT"),
                ))
            }
            Some(other) => {
                let member = format!("{}{}", member[..1].to_ascii_lowercase(), &member[1..]);
                return Err(KmsError::constraint(
                    Some(other),
                    &member,
                    "satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]",
                ));
            }
        }
    }
    Ok(())
}

pub(super) fn encrypt<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    refuse_unsupported(m, &["EncryptionAlgorithm"])?;
    let key_id = m.str("KeyId")?;
    let plaintext = m.blob("Plaintext")?;
    let sealed = rt.encrypt(
        caller,
        key_id,
        &plaintext,
        &m.context("EncryptionContext")?,
        &m.strings("GrantTokens")?,
    )?;
    Ok(json!({
        "CiphertextBlob": b64(&sealed.ciphertext_blob),
        "KeyId": sealed.key_arn,
        "EncryptionAlgorithm": SYMMETRIC_DEFAULT,
    }))
}

pub(super) fn decrypt<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    refuse_unsupported(m, &["EncryptionAlgorithm"])?;
    let blob = m.blob("CiphertextBlob")?;
    let opened = rt.decrypt(
        caller,
        &blob,
        m.opt_str("KeyId")?,
        &m.context("EncryptionContext")?,
        &m.strings("GrantTokens")?,
    )?;
    Ok(json!({
        "KeyId": opened.key_arn,
        "Plaintext": b64(&opened.plaintext),
        "EncryptionAlgorithm": SYMMETRIC_DEFAULT,
        "KeyMaterialId": opened.key_material_id,
    }))
}

pub(super) fn re_encrypt<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    refuse_unsupported(m, &["SourceEncryptionAlgorithm", "DestinationEncryptionAlgorithm"])?;
    let blob = m.blob("CiphertextBlob")?;
    let source_key_id = m.opt_str("SourceKeyId")?;
    let sealed = rt.re_encrypt(
        caller,
        &blob,
        source_key_id,
        &m.context("SourceEncryptionContext")?,
        m.str("DestinationKeyId")?,
        &m.context("DestinationEncryptionContext")?,
        &m.strings("GrantTokens")?,
    )?;
    let source = crate::crypto::peek(&blob)
        .ok()
        .and_then(|header| rt.resolve(&header.key_id).ok().map(|k| k.arn.clone()));
    Ok(json!({
        "CiphertextBlob": b64(&sealed.ciphertext_blob),
        "SourceKeyId": source,
        "KeyId": sealed.key_arn,
        "SourceEncryptionAlgorithm": SYMMETRIC_DEFAULT,
        "DestinationEncryptionAlgorithm": SYMMETRIC_DEFAULT,
        "DestinationKeyMaterialId": sealed.key_material_id,
    }))
}

pub(super) fn generate_data_key<C: Clock>(
    rt: &mut Runtime<C>,
    caller: &Caller,
    m: &Members<'_>,
    with_plaintext: bool,
) -> Call {
    refuse_unsupported(m, &[])?;
    let data_key = rt.generate_data_key(
        caller,
        m.str("KeyId")?,
        m.opt_str("KeySpec")?,
        m.opt_int("NumberOfBytes")?,
        &m.context("EncryptionContext")?,
        &m.strings("GrantTokens")?,
        with_plaintext,
    )?;
    let mut response = json!({
        "CiphertextBlob": b64(&data_key.ciphertext_blob),
        "KeyId": data_key.key_arn,
        "KeyMaterialId": data_key.key_material_id,
    });
    if let Some(plaintext) = &data_key.plaintext {
        response["Plaintext"] = Value::String(b64(plaintext));
    }
    Ok(response)
}

pub(super) fn generate_random<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    refuse_unsupported(m, &[])?;
    if m.opt_str("CustomKeyStoreId")?.is_some() {
        return Err(KmsError::new(
            ErrorName::UnsupportedOperationException,
            "keyward has no custom key stores",
        ));
    }
    let random = rt.generate_random(caller, m.opt_int("NumberOfBytes")?)?;
    Ok(json!({"Plaintext": b64(&random)}))
}
