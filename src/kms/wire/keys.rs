//! Keys: creation and metadata, states, deletion, descriptions, tags, key
//! policies and rotation.

use serde_json::{json, Value};

use super::members::Members;
use super::shapes::{key_metadata, list, whole_list};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::key_spec::KeyInfo;
use crate::kms::runtime::{Clock, Paging, Runtime};

type Call = Result<Value, KmsError>;

fn unsupported(what: String) -> KmsError {
    KmsError::new(ErrorName::UnsupportedOperationException, what)
}

/// `KeySpec` and `KeyUsage` as AWS checks them (§4.2, §11.3); keyward makes
/// symmetric encryption keys only, so any other valid pair is unsupported.
fn check_spec(m: &Members<'_>) -> Result<(), KmsError> {
    let spec = match m.opt_str("KeySpec")? {
        Some(spec) => Some(spec),
        None => m.opt_str("CustomerMasterKeySpec")?,
    }
    .unwrap_or("SYMMETRIC_DEFAULT");
    let usage = m.opt_str("KeyUsage")?;
    if let Some(info) = KeyInfo::parse(spec, usage) {
        return if info == KeyInfo::SYMMETRIC {
            Ok(())
        } else {
            Err(unsupported(format!(
                "keyward makes symmetric encryption keys only; KeySpec {spec} is not available yet"
            )))
        };
    }
    if KeyInfo::parse(spec, Some("ENCRYPT_DECRYPT"))
        .or_else(|| KeyInfo::parse(spec, Some("SIGN_VERIFY")))
        .or_else(|| KeyInfo::parse(spec, Some("GENERATE_VERIFY_MAC")))
        .or_else(|| KeyInfo::parse(spec, Some("KEY_AGREEMENT")))
        .or_else(|| KeyInfo::parse(spec, Some("ENCAPSULATE_DECAPSULATE")))
        .is_none()
    {
        return Err(KmsError::constraint(
            Some(spec),
            "keySpec",
            "satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SYMMETRIC_DEFAULT, HMAC_224, HMAC_256, HMAC_384, HMAC_512, SM2, ML_DSA_44, ML_DSA_65, ML_DSA_87, ML_KEM_512, ML_KEM_768, ML_KEM_1024, ECC_NIST_EDWARDS25519]",
        ));
    }
    match usage {
        None => Err(KmsError::new(
            ErrorName::ValidationException,
            "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
        )),
        Some(u @ ("ENCRYPT_DECRYPT" | "SIGN_VERIFY" | "GENERATE_VERIFY_MAC" | "KEY_AGREEMENT" | "ENCAPSULATE_DECAPSULATE")) => {
            Err(KmsError::new(
                ErrorName::ValidationException,
                format!("KeyUsage {u} is not compatible with KeySpec {spec}"),
            ))
        }
        Some(other) => Err(KmsError::constraint(
            Some(other),
            "keyUsage",
            "satisfy enum value set: [ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT, ENCAPSULATE_DECAPSULATE]",
        )),
    }
}

pub(super) fn create_key<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    check_spec(m)?;
    if m.opt_str("Origin")?.is_some_and(|o| o != "AWS_KMS") {
        return Err(unsupported("keyward makes keys with Origin AWS_KMS only".into()));
    }
    if m.bool("MultiRegion")? || m.opt_str("CustomKeyStoreId")?.is_some() || m.opt_str("XksKeyId")?.is_some() {
        return Err(unsupported(
            "keyward has no multi-Region keys or custom key stores".into(),
        ));
    }
    if !m.tags("Tags")?.is_empty() {
        return Err(unsupported(
            "keyward does not take Tags in CreateKey yet; call TagResource on the new key".into(),
        ));
    }
    let metadata = rt.create_key(
        caller,
        m.opt_str("Description")?,
        m.opt_str("Policy")?,
        m.bool("BypassPolicyLockoutSafetyCheck")?,
    )?;
    Ok(json!({"KeyMetadata": key_metadata(&metadata)}))
}

pub(super) fn describe_key<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let metadata = rt.describe_key(caller, m.str("KeyId")?)?;
    Ok(json!({"KeyMetadata": key_metadata(&metadata)}))
}

pub(super) fn paging<'a>(m: &Members<'a>) -> Result<Paging<'a>, KmsError> {
    Ok(Paging {
        limit: m.opt_int("Limit")?,
        marker: m.opt_str("Marker")?,
    })
}

pub(super) fn list_keys<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let page = rt.list_keys(caller, paging(m)?)?;
    let entries = page
        .items
        .iter()
        .map(|(id, arn)| json!({"KeyId": id, "KeyArn": arn}))
        .collect();
    Ok(list("Keys", entries, &page))
}

pub(super) fn enable_key<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    rt.enable_key(caller, m.str("KeyId")?)?;
    Ok(json!({}))
}

pub(super) fn disable_key<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    rt.disable_key(caller, m.str("KeyId")?)?;
    Ok(json!({}))
}

pub(super) fn schedule_key_deletion<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let days = m.opt_int("PendingWindowInDays")?;
    let metadata = rt.schedule_key_deletion(caller, m.str("KeyId")?, days)?;
    Ok(json!({
        "KeyId": metadata.arn,
        "DeletionDate": metadata.deletion_date,
        "KeyState": metadata.state.as_str(),
        "PendingWindowInDays": days.unwrap_or(30),
    }))
}

pub(super) fn cancel_key_deletion<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let metadata = rt.cancel_key_deletion(caller, m.str("KeyId")?)?;
    Ok(json!({"KeyId": metadata.arn}))
}

pub(super) fn update_key_description<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    rt.update_key_description(caller, m.str("KeyId")?, m.str("Description")?)?;
    Ok(json!({}))
}

pub(super) fn tag_resource<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let key_id = m.str("KeyId")?;
    m.present("Tags")?;
    rt.tag_resource(caller, key_id, &m.tags("Tags")?)?;
    Ok(json!({}))
}

pub(super) fn untag_resource<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let key_id = m.str("KeyId")?;
    m.present("TagKeys")?;
    rt.untag_resource(caller, key_id, &m.strings("TagKeys")?)?;
    Ok(json!({}))
}

pub(super) fn list_resource_tags<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let tags = rt.list_resource_tags(caller, m.str("KeyId")?)?;
    let entries = tags.iter().map(|(k, v)| json!({"TagKey": k, "TagValue": v})).collect();
    Ok(whole_list("Tags", entries))
}

pub(super) fn get_key_policy<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let policy = rt.get_key_policy(caller, m.str("KeyId")?, m.opt_str("PolicyName")?)?;
    Ok(json!({"Policy": policy, "PolicyName": "default"}))
}

pub(super) fn list_key_policies<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let names = rt.list_key_policies(caller, m.str("KeyId")?)?;
    Ok(whole_list("PolicyNames", names.into_iter().map(Value::from).collect()))
}

pub(super) fn put_key_policy<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let key_id = m.str("KeyId")?;
    if let Some(name) = m.opt_str("PolicyName")? {
        if name != "default" {
            return Err(KmsError::constraint(
                Some(name),
                "policyName",
                "satisfy regular expression pattern: default",
            ));
        }
    }
    rt.put_key_policy(
        caller,
        key_id,
        m.str("Policy")?,
        m.bool("BypassPolicyLockoutSafetyCheck")?,
    )?;
    Ok(json!({}))
}

pub(super) fn enable_key_rotation<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    rt.enable_key_rotation(caller, m.str("KeyId")?, m.opt_int("RotationPeriodInDays")?)?;
    Ok(json!({}))
}

pub(super) fn disable_key_rotation<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    rt.disable_key_rotation(caller, m.str("KeyId")?)?;
    Ok(json!({}))
}

pub(super) fn get_key_rotation_status<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let key_id = m.str("KeyId")?;
    let status = rt.get_key_rotation_status(caller, key_id)?;
    let arn = rt.resolve(key_id)?.arn.clone();
    let mut response = json!({"KeyRotationEnabled": status.key_rotation_enabled, "KeyId": arn});
    if let Some(days) = status.rotation_period_in_days {
        response["RotationPeriodInDays"] = json!(days);
    }
    if let Some(next) = status.next_rotation_date {
        response["NextRotationDate"] = json!(next);
    }
    Ok(response)
}

pub(super) fn rotate_key_on_demand<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let metadata = rt.rotate_key_on_demand(caller, m.str("KeyId")?)?;
    Ok(json!({"KeyId": metadata.key_id}))
}

pub(super) fn list_key_rotations<C: Clock>(rt: &mut Runtime<C>, caller: &Caller, m: &Members<'_>) -> Call {
    let key_id = m.str("KeyId")?;
    let rotations = rt.list_key_rotations(caller, key_id)?;
    let arn = rt.resolve(key_id)?.arn.clone();
    let entries = rotations
        .iter()
        .map(|(material, date, origin)| {
            let kind = match origin {
                crate::kms::runtime::Origin::OnDemand => "ON_DEMAND",
                _ => "AUTOMATIC",
            };
            json!({"KeyId": arn, "KeyMaterialId": material, "RotationDate": date, "RotationType": kind})
        })
        .collect();
    Ok(whole_list("Rotations", entries))
}
