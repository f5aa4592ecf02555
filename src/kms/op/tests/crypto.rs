use base64::Engine;
use serde_json::json;

use super::*;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

// PlaintextType: 1 to 4096 bytes.
#[test]
fn encrypt_takes_one_to_4096_bytes_and_decrypt_gives_them_back() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    assert_eq!(
        refused(call(&mut rt, "Encrypt", json!({"KeyId": key, "Plaintext": ""}))),
        constraint(None, "plaintext", "have length greater than or equal to 1")
    );
    assert_eq!(
        refused(call(
            &mut rt,
            "Encrypt",
            json!({"KeyId": key, "Plaintext": b64(&[7; 4097])})
        )),
        constraint(None, "plaintext", "have length less than or equal to 4096")
    );
    let plaintext = b64(&[7; 4096]);
    let sealed = ok(
        &mut rt,
        "Encrypt",
        json!({"KeyId": key, "Plaintext": plaintext, "EncryptionContext": {"k": "v"}}),
    );
    assert_eq!(sealed["EncryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    let opened = ok(
        &mut rt,
        "Decrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"], "EncryptionContext": {"k": "v"}}),
    );
    assert_eq!(
        (&opened["Plaintext"], &opened["KeyId"]),
        (&json!(plaintext), &sealed["KeyId"])
    );
}

// GrantTokenList: at most 10 tokens.
#[test]
fn at_most_ten_grant_tokens() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    let tokens: Vec<String> = (0..11).map(|i| format!("token{i}")).collect();
    assert_eq!(
        refused(call(
            &mut rt,
            "Encrypt",
            json!({"KeyId": key, "Plaintext": "eA==", "GrantTokens": tokens})
        )),
        constraint(None, "grantTokens", "have length less than or equal to 10")
    );
}

#[test]
fn unsupported_members_are_refused_not_ignored() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    assert_eq!(
        refused(call(
            &mut rt,
            "Encrypt",
            json!({"KeyId": key, "Plaintext": "eA==", "EncryptionAlgorithm": "RSAES_OAEP_SHA_1"})
        ))
        .0,
        ErrorName::InvalidKeyUsageException
    );
    assert_eq!(
        refused(call(
            &mut rt,
            "ReEncrypt",
            json!({"CiphertextBlob": "eA==", "DestinationKeyId": key, "SourceEncryptionAlgorithm": "ROT13"})
        )),
        constraint(
            Some("ROT13"),
            "sourceEncryptionAlgorithm",
            "satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]"
        )
    );
}

// NumberOfBytesType: 1 to 1024; DataKeySpec: AES_128 or AES_256.
#[test]
fn data_keys_and_random_bytes_are_sized_as_the_model_says() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    let data_key = ok(&mut rt, "GenerateDataKey", json!({"KeyId": key, "KeySpec": "AES_128"}));
    let plaintext = base64::engine::general_purpose::STANDARD
        .decode(data_key["Plaintext"].as_str().unwrap())
        .unwrap();
    assert_eq!(plaintext.len(), 16);
    let opened = ok(
        &mut rt,
        "Decrypt",
        json!({"CiphertextBlob": data_key["CiphertextBlob"]}),
    );
    assert_eq!(opened["Plaintext"], data_key["Plaintext"]);
    let without = ok(
        &mut rt,
        "GenerateDataKeyWithoutPlaintext",
        json!({"KeyId": key, "NumberOfBytes": 64}),
    );
    assert!(without.get("Plaintext").is_none());
    assert_eq!(
        refused(call(
            &mut rt,
            "GenerateDataKey",
            json!({"KeyId": key, "NumberOfBytes": 1025})
        )),
        constraint(Some("1025"), "numberOfBytes", "have value less than or equal to 1024")
    );
    assert_eq!(
        refused(call(&mut rt, "GenerateRandom", json!({"NumberOfBytes": 0}))),
        constraint(Some("0"), "numberOfBytes", "have value greater than or equal to 1")
    );
    let random = ok(&mut rt, "GenerateRandom", json!({"NumberOfBytes": 32}));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(random["Plaintext"].as_str().unwrap())
        .unwrap();
    assert_eq!(bytes.len(), 32);
}

#[test]
fn re_encrypt_moves_a_ciphertext_to_another_key() {
    let mut rt = runtime();
    let (first, second) = (new_key(&mut rt), new_key(&mut rt));
    let sealed = ok(&mut rt, "Encrypt", json!({"KeyId": first, "Plaintext": "aGk="}));
    let moved = ok(
        &mut rt,
        "ReEncrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"], "DestinationKeyId": second}),
    );
    assert_eq!(moved["SourceKeyId"], sealed["KeyId"]);
    assert!(moved["KeyId"].as_str().unwrap().ends_with(&second));
    let opened = ok(&mut rt, "Decrypt", json!({"CiphertextBlob": moved["CiphertextBlob"]}));
    assert_eq!(opened["Plaintext"], "aGk=");
}
