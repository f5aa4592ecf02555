use std::collections::BTreeMap;

use super::blob::seal_with;
use super::*;

fn context(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn fixed() -> (KeyMaterial, Header) {
    let material = KeyMaterial::from_bytes(core::array::from_fn(|i| i as u8));
    let header = Header {
        key_id: "1234abcd-12ab-34cd-56ef-1234567890ab".into(),
        material_id: MaterialId([0xab; 32]),
        salt: [0x11; 16],
        nonce: [0x22; 12],
    };
    (material, header)
}

use crate::crypto::hex;

#[test]
fn known_answer_vector_pins_the_format() {
    let (material, header) = fixed();
    let blob = seal_with(&material, &header, b"hello keyward", &context(&[("dept", "eng")])).unwrap();
    assert_eq!(hex(&blob), KNOWN_BLOB);
    assert_eq!(peek(&blob).unwrap(), header);
    assert_eq!(
        open(&blob, &material, &context(&[("dept", "eng")])).unwrap().as_slice(),
        b"hello keyward"
    );
}

/// `seal_with(key 00..1f, key id 1234abcd-…, material id ab×32, salt 11×16,
/// nonce 22×12, "hello keyward", {"dept": "eng"})`. Cross-checked with an
/// independent implementation (Python, pyca/cryptography 48 over OpenSSL):
///
/// ```text
/// header = b"KW" + b"\x01" + struct.pack(">H", len(key_id)) + key_id + b"\xab"*32 + salt + nonce
/// canon  = struct.pack(">I", 1) + struct.pack(">I", 4) + b"dept" + struct.pack(">I", 3) + b"eng"
/// key    = HKDF(SHA256(), 32, salt=salt, info=b"keyward blob v1").derive(bytes(range(32)))
/// blob   = header + AESGCM(key).encrypt(nonce, b"hello keyward", header + canon)
/// ```
const KNOWN_BLOB: &str = concat!(
    "4b5701002431323334616263642d313261622d333463642d353665662d313233343536373839306162",
    "abababababababababababababababababababababababababababababababab",
    "11111111111111111111111111111111",
    "222222222222222222222222",
    "9ed75bcd4506928d13f43a339343079d1b4b6f46327103257ca2c87c7b",
);

#[test]
fn canonical_context_is_injective() {
    assert_ne!(canonical(&context(&[("ab", "c")])), canonical(&context(&[("a", "bc")])));
    assert_ne!(canonical(&context(&[])), canonical(&context(&[("", "")])));
    assert_eq!(
        hex(&canonical(&context(&[("a", "b")]))),
        "00000001000000016100000001".to_owned() + "62"
    );
}

#[test]
fn a_different_context_fails() {
    let material = KeyMaterial::generate();
    let id = MaterialId::generate();
    let blob = seal(&material, id, "k", b"secret", &context(&[("ab", "c")])).unwrap();
    assert_eq!(open(&blob, &material, &context(&[("a", "bc")])), Err(InvalidCiphertext));
    assert_eq!(open(&blob, &material, &context(&[("AB", "c")])), Err(InvalidCiphertext));
    assert_eq!(open(&blob, &material, &context(&[])), Err(InvalidCiphertext));
    assert_eq!(
        open(&blob, &material, &context(&[("ab", "c"), ("x", "y")])),
        Err(InvalidCiphertext)
    );
    assert_eq!(
        open(&blob, &material, &context(&[("ab", "c")])).unwrap().as_slice(),
        b"secret"
    );
}

#[test]
fn every_flipped_bit_fails() {
    let material = KeyMaterial::generate();
    let blob = seal(&material, MaterialId::generate(), "k", b"x", &BTreeMap::new()).unwrap();
    for i in 0..blob.len() * 8 {
        let mut tampered = blob.clone();
        tampered[i / 8] ^= 1 << (i % 8);
        assert!(open(&tampered, &material, &BTreeMap::new()).is_err(), "bit {i}");
    }
    assert!(open(&blob[..blob.len() - 1], &material, &BTreeMap::new()).is_err());
    assert!(open(&[], &material, &BTreeMap::new()).is_err());
}

#[test]
fn another_keys_material_fails() {
    let blob = seal(
        &KeyMaterial::generate(),
        MaterialId::generate(),
        "k",
        b"x",
        &BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(
        open(&blob, &KeyMaterial::generate(), &BTreeMap::new()),
        Err(InvalidCiphertext)
    );
}

#[test]
fn salts_and_nonces_differ_per_blob() {
    let material = KeyMaterial::generate();
    let id = MaterialId::generate();
    let a = peek(&seal(&material, id, "k", b"x", &BTreeMap::new()).unwrap()).unwrap();
    let b = peek(&seal(&material, id, "k", b"x", &BTreeMap::new()).unwrap()).unwrap();
    assert_ne!((a.salt, a.nonce), (b.salt, b.nonce));
}

#[test]
fn secrets_never_print() {
    assert_eq!(format!("{:?}", KeyMaterial::generate()), "KeyMaterial([REDACTED])");
    assert_eq!(MaterialId([0xab; 32]).to_string().len(), 64);
}

#[test]
fn the_largest_plaintext_fits_the_blob_limit() {
    let blob = seal(
        &KeyMaterial::generate(),
        MaterialId::generate(),
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        &[7u8; 4096],
        &BTreeMap::new(),
    )
    .unwrap();
    assert!(blob.len() <= MAX_BLOB_BYTES, "{}", blob.len());
}

/// A version-2 blob keeps the version-1 header (so `peek` finds the key),
/// gives back the inner blob exactly, and never opens without its outer
/// layer taken off.
#[test]
fn a_doubly_encrypted_blob_round_trips_its_inner_blob_and_does_not_open_alone() {
    let (material, header) = fixed();
    let inner = seal_with(&material, &header, b"hello keyward", &BTreeMap::new()).unwrap();
    let (inner_header, body) = inner_parts(&inner).unwrap();
    // Stand-in for the proxy's layer: any bytes of the body's length.
    let outer = OuterLayer {
        ciphertext: body.iter().map(|b| b ^ 0x5a).collect(),
        metadata: b"v=1".to_vec(),
        iv: vec![9; 12],
        tag: vec![8; 16],
    };
    let double = wrap_outer(inner_header, &outer).unwrap();
    assert!(is_double(&double) && !is_double(&inner));
    assert_eq!(peek(&double).unwrap(), header);
    assert_eq!(open(&double, &material, &BTreeMap::new()), Err(InvalidCiphertext));
    let (header_back, outer_back) = unwrap_outer(&double).unwrap();
    assert_eq!((header_back.as_slice(), &outer_back), (inner_header, &outer));
    let restored: Vec<u8> = outer_back.ciphertext.iter().map(|b| b ^ 0x5a).collect();
    let rebuilt = join_inner(&header_back, &restored);
    assert_eq!(rebuilt, inner);
    assert_eq!(
        open(&rebuilt, &material, &BTreeMap::new()).unwrap().as_slice(),
        b"hello keyward"
    );
    // Cut anywhere, the outer layer does not read.
    for cut in 0..double.len() - 16 {
        assert!(unwrap_outer(&double[..cut]).is_err(), "{cut}");
    }
    // The largest plaintext, doubly encrypted with the largest metadata and IV, fits.
    let largest = seal_with(&material, &header, &[7u8; 4096], &BTreeMap::new()).unwrap();
    let (largest_header, largest_body) = inner_parts(&largest).unwrap();
    let outer = OuterLayer {
        ciphertext: largest_body.to_vec(),
        metadata: vec![0; 20],
        iv: vec![0; 16],
        tag: vec![0; 16],
    };
    assert!(wrap_outer(largest_header, &outer).is_some());
}

/// `known_answer_vector_pins_the_format` under 128-bit material (key
/// 00..0f, a China Region key): the blob is sealed with SM4-GCM under a
/// 16-byte HKDF key. Cross-checked with Python, pyca/cryptography 50 over
/// OpenSSL, as [`KNOWN_BLOB`] but with
///
/// ```text
/// key  = HKDF(SHA256(), 16, salt=salt, info=b"keyward blob v1").derive(bytes(range(16)))
/// enc  = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
/// enc.authenticate_additional_data(header + canon)
/// blob = header + enc.update(b"hello keyward") + enc.finalize() + enc.tag
/// ```
const KNOWN_SM4_BODY: &str = "fe12afb250a517d4de8c74afcf00ef60432a3e43ba45f744cfd53e5057";

#[test]
fn china_region_material_seals_blobs_with_sm4_gcm_known_answer() {
    let (_, header) = fixed();
    let material = KeyMaterial::from_secret(zeroize::Zeroizing::new((0..16).collect()));
    let blob = seal_with(&material, &header, b"hello keyward", &context(&[("dept", "eng")])).unwrap();
    let (header_bytes, body) = inner_parts(&blob).unwrap();
    assert_eq!(hex(body), KNOWN_SM4_BODY);
    assert_eq!(peek(&blob).unwrap(), header);
    assert_eq!(
        open(&blob, &material, &context(&[("dept", "eng")])).unwrap().as_slice(),
        b"hello keyward"
    );
    assert_eq!(open(&blob, &material, &context(&[])), Err(InvalidCiphertext));
    // The same header under 256-bit material is the AES-256-GCM blob.
    assert_eq!(
        &hex(header_bytes),
        &KNOWN_BLOB[..KNOWN_BLOB.len() - KNOWN_SM4_BODY.len()]
    );
}

#[test]
fn symmetric_material_is_128_bits_in_the_china_regions_and_256_elsewhere() {
    // CreateKey, KeySpec: SYMMETRIC_DEFAULT is AES-GCM with a 256-bit key
    // "except in China Regions, where it creates a 128-bit symmetric key
    // that uses SM4 encryption" (docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html).
    for (region, cipher, bytes) in [
        ("us-east-1", BlobCipher::Aes256Gcm, 32),
        ("eu-west-3", BlobCipher::Aes256Gcm, 32),
        ("cn-north-1", BlobCipher::Sm4Gcm, 16),
        ("cn-northwest-1", BlobCipher::Sm4Gcm, 16),
    ] {
        assert_eq!(BlobCipher::in_region(region), cipher, "{region}");
        let material = cipher.generate_material();
        assert_eq!(material.expose().len(), bytes, "{region}");
        let blob = seal(&material, MaterialId::generate(), "k", b"data", &BTreeMap::new()).unwrap();
        assert_eq!(open(&blob, &material, &BTreeMap::new()).unwrap().as_slice(), b"data");
    }
}

#[test]
fn sm4_material_does_not_open_an_aes_blob_of_the_same_prefix() {
    let (aes, header) = fixed();
    let sm4 = KeyMaterial::from_secret(zeroize::Zeroizing::new(aes.expose()[..16].to_vec()));
    let blob = seal_with(&aes, &header, b"x", &BTreeMap::new()).unwrap();
    assert_eq!(open(&blob, &sm4, &BTreeMap::new()), Err(InvalidCiphertext));
}
