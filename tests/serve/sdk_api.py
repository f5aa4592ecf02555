"""keyward serve driven by boto3: AWS's validation and the newer API members.

    python sdk_api.py ENDPOINT SCENARIO

Shares sdk.py's clients and checks; each behaviour names the AWS page it
comes from in docs/api-validation.md.
"""

import sys
import time

from sdk import ACCOUNT, ROOT, client, refused


def validation():
    kms = client(ROOT)
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=key["KeyId"])
    # Key-ID-only operations refuse an alias as a key they cannot find.
    for call, extra in [
        (kms.enable_key_rotation, {}),
        (kms.get_key_rotation_status, {}),
        (kms.get_key_policy, {"PolicyName": "default"}),
        (kms.list_resource_tags, {}),
        (kms.update_key_description, {"Description": "d"}),
        (kms.disable_key, {}),
        (kms.list_grants, {}),
    ]:
        message = refused("NotFoundException", call, KeyId="alias/app", **extra)
        assert message == "Invalid keyId alias/app", message
    # Validation before authorization.
    refused("ValidationException", kms.delete_alias, AliasName="app")
    refused("ValidationException", kms.create_alias, AliasName="alias/my:alias", TargetKeyId=key["KeyId"])
    message = refused("ValidationException", kms.create_key, Description="d" * 8193, KeySpec="AES_512")
    assert message.startswith("2 validation errors detected: "), message
    refused("ValidationException", kms.list_keys, Limit=1001)
    refused("ValidationException", kms.generate_random, NumberOfBytes=1025)


def dry_run():
    kms = client(ROOT)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    refused("DryRunOperationException", kms.encrypt, KeyId=key, Plaintext=b"x", DryRun=True)
    blob = kms.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    refused("DryRunOperationException", kms.decrypt, CiphertextBlob=blob, DryRun=True)
    refused("DryRunOperationException", kms.generate_data_key, KeyId=key, KeySpec="AES_256", DryRun=True)
    grantee = f"arn:aws:iam::{ACCOUNT}:role/app"
    refused("DryRunOperationException", kms.create_grant, KeyId=key, GranteePrincipal=grantee,
            Operations=["Decrypt"], DryRun=True)
    assert kms.list_grants(KeyId=key)["Grants"] == []
    kms.disable_key(KeyId=key)
    refused("DisabledException", kms.encrypt, KeyId=key, Plaintext=b"x", DryRun=True)


def newer_members():
    kms = client(ROOT)
    created = kms.create_key(Tags=[{"TagKey": "team", "TagValue": "blue"}])["KeyMetadata"]
    key, arn = created["KeyId"], created["Arn"]
    assert kms.list_resource_tags(KeyId=key)["Tags"] == [{"TagKey": "team", "TagValue": "blue"}]
    assert created["CurrentKeyMaterialId"], created
    rotated = kms.rotate_key_on_demand(KeyId=key)
    assert rotated["KeyId"] == arn, rotated
    kms.rotate_key_on_demand(KeyId=key)
    page = kms.list_key_rotations(KeyId=key, Limit=1)
    assert len(page["Rotations"]) == 1 and page["Truncated"], page
    rest = kms.list_key_rotations(KeyId=key, Limit=1, Marker=page["NextMarker"])
    assert len(rest["Rotations"]) == 1 and not rest["Truncated"], rest
    blob = kms.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    opened = kms.decrypt(CiphertextBlob=blob)
    assert opened["KeyMaterialId"], opened
    again = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=key)
    assert again["SourceKeyMaterialId"] == opened["KeyMaterialId"], again
    usage = kms.get_key_last_usage(KeyId=key)
    assert usage["KeyLastUsage"]["Operation"] == "ReEncrypt", usage
    aliases = [a for a in kms.list_aliases(Limit=100)["Aliases"] if a["AliasName"] == "alias/aws/s3"]
    assert aliases and "TargetKeyId" not in aliases[0], aliases


def multi_region():
    east, west = client(ROOT), client(ROOT, region="eu-west-1")
    key = east.create_key(MultiRegion=True)["KeyMetadata"]
    assert key["KeyId"].startswith("mrk-") and key["MultiRegion"], key
    replica = east.replicate_key(KeyId=key["KeyId"], ReplicaRegion="eu-west-1")["ReplicaKeyMetadata"]
    assert replica["MultiRegionConfiguration"]["MultiRegionKeyType"] == "REPLICA", replica
    blob = east.encrypt(KeyId=key["KeyId"], Plaintext=b"hello")["CiphertextBlob"]
    assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"hello"
    east.update_primary_region(KeyId=key["KeyId"], PrimaryRegion="eu-west-1")
    described = west.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert described["MultiRegionConfiguration"]["MultiRegionKeyType"] == "PRIMARY", described
    refused("UnsupportedOperationException", east.replicate_key, KeyId=key["KeyId"], ReplicaRegion="ap-south-1")


def import_material():
    """Each wrapping algorithm, the material wrapped by python `cryptography`
    (an implementation independent of keyward's)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding
    import os

    kms = client(ROOT)
    for algorithm in ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"]:
        key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
        assert key["KeyState"] == "PendingImport" and key["Origin"] == "EXTERNAL", key
        parameters = kms.get_parameters_for_import(
            KeyId=key["KeyId"], WrappingAlgorithm=algorithm, WrappingKeySpec="RSA_3072")
        public = serialization.load_der_public_key(parameters["PublicKey"])
        digest = hashes.SHA1() if algorithm.endswith("SHA_1") else hashes.SHA256()
        oaep = padding.OAEP(mgf=padding.MGF1(algorithm=digest), algorithm=digest, label=None)
        material = os.urandom(32)
        if algorithm.startswith("RSA_AES"):
            aes_key = os.urandom(32)
            wrapped = public.encrypt(aes_key, oaep) + aes_key_wrap_with_padding(aes_key, material)
        else:
            wrapped = public.encrypt(material, oaep)
        imported = kms.import_key_material(
            KeyId=key["KeyId"], ImportToken=parameters["ImportToken"], EncryptedKeyMaterial=wrapped,
            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
        assert imported["KeyMaterialId"], imported
        blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"imported")["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"imported"
    deleted = kms.delete_imported_key_material(KeyId=key["KeyId"])
    assert deleted["KeyMaterialId"] == imported["KeyMaterialId"], deleted
    refused("KMSInvalidStateException", kms.decrypt, CiphertextBlob=blob)


def _wrap(kms, key_id, material, algorithm="RSA_AES_KEY_WRAP_SHA_256"):
    """GetParametersForImport, then `material` wrapped by python `cryptography`."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding
    import os

    parameters = kms.get_parameters_for_import(
        KeyId=key_id, WrappingAlgorithm=algorithm, WrappingKeySpec="RSA_3072")
    public = serialization.load_der_public_key(parameters["PublicKey"])
    digest = hashes.SHA1() if algorithm.endswith("SHA_1") else hashes.SHA256()
    oaep = padding.OAEP(mgf=padding.MGF1(algorithm=digest), algorithm=digest, label=None)
    if algorithm.startswith("RSA_AES"):
        aes_key = os.urandom(32)
        wrapped = public.encrypt(aes_key, oaep) + aes_key_wrap_with_padding(aes_key, material)
    else:
        wrapped = public.encrypt(material, oaep)
    return parameters["ImportToken"], wrapped


def import_kinds():
    """HMAC and ECC material (PKCS#8 DER) made by python `cryptography`, and
    several materials in one symmetric key rotated on demand
    (docs/import.md)."""
    import hashlib
    import hmac
    import os
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    kms = client(ROOT)
    # HMAC: 48 bytes into HMAC_256 (32 to 64 are taken).
    key = kms.create_key(Origin="EXTERNAL", KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
    secret = os.urandom(48)
    token, wrapped = _wrap(kms, key["KeyId"], secret, "RSAES_OAEP_SHA_256")
    kms.import_key_material(KeyId=key["KeyId"], ImportToken=token, EncryptedKeyMaterial=wrapped,
                            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    mac = kms.generate_mac(KeyId=key["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert mac == hmac.new(secret, b"m", hashlib.sha256).digest()
    token, wrapped = _wrap(kms, key["KeyId"], os.urandom(20))
    refused("IncorrectKeyMaterialException", kms.import_key_material, KeyId=key["KeyId"], ImportToken=token,
            EncryptedKeyMaterial=wrapped, ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    # ECC: a P-256 private key as PKCS#8 DER; KMS signs, cryptography verifies.
    key = kms.create_key(Origin="EXTERNAL", KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    private = ec.generate_private_key(ec.SECP256R1())
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    token, wrapped = _wrap(kms, key["KeyId"], der)
    kms.import_key_material(KeyId=key["KeyId"], ImportToken=token, EncryptedKeyMaterial=wrapped,
                            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    signature = kms.sign(KeyId=key["KeyId"], Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    private.public_key().verify(signature, b"m", ec.ECDSA(hashes.SHA256()))
    # Several materials: the second pending rotation until RotateKeyOnDemand.
    key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]
    token, wrapped = _wrap(kms, key["KeyId"], os.urandom(32))
    first = kms.import_key_material(KeyId=key["KeyId"], ImportToken=token, EncryptedKeyMaterial=wrapped,
                                    ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
                                    KeyMaterialDescription="first")["KeyMaterialId"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"one")["CiphertextBlob"]
    token, wrapped = _wrap(kms, key["KeyId"], os.urandom(32))
    second = kms.import_key_material(KeyId=key["KeyId"], ImportToken=token, EncryptedKeyMaterial=wrapped,
                                     ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE",
                                     ImportType="NEW_KEY_MATERIAL")["KeyMaterialId"]
    listed = kms.list_key_rotations(KeyId=key["KeyId"], IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert [(r["KeyMaterialId"], r["KeyMaterialState"]) for r in listed] == [
        (first, "CURRENT"), (second, "PENDING_ROTATION")], listed
    assert listed[0]["KeyMaterialDescription"] == "first" and listed[0]["ImportState"] == "IMPORTED", listed
    kms.rotate_key_on_demand(KeyId=key["KeyId"])
    rotations = kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"]
    assert [(r["KeyMaterialId"], r["RotationType"]) for r in rotations] == [(second, "ON_DEMAND")], rotations
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] == second
    assert kms.decrypt(CiphertextBlob=blob)["KeyMaterialId"] == first
    deleted = kms.delete_imported_key_material(KeyId=key["KeyId"], KeyMaterialId=first)
    assert deleted["KeyMaterialId"] == first, deleted
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingImport"
    refused("KMSInvalidStateException", kms.decrypt, CiphertextBlob=blob)


def custom_key_stores():
    """Custom key stores, simulated (docs/custom-key-stores.md): a CloudHSM
    key store and an external key store through their states, keys in them,
    GenerateRandom in a CloudHSM key store, deletion rules."""
    kms = client(ROOT)
    certificate = ("-----BEGIN CERTIFICATE-----\n"
                   "MIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGUgZm9yIGtleXdhcmQgdGVzdHMwCgYIKoZIzj0EAwIw\n"
                   "-----END CERTIFICATE-----\n")
    hsm = kms.create_custom_key_store(
        CustomKeyStoreName="hsm", CloudHsmClusterId="cluster-abcdefghijk",
        TrustAnchorCertificate=certificate, KeyStorePassword="kmsuser-password")["CustomKeyStoreId"]
    refused("CustomKeyStoreNameInUseException", kms.create_custom_key_store,
            CustomKeyStoreName="hsm", CloudHsmClusterId="cluster-bbbbbbbbbbb",
            TrustAnchorCertificate=certificate, KeyStorePassword="kmsuser-password")
    xks = kms.create_custom_key_store(
        CustomKeyStoreName="xks", CustomKeyStoreType="EXTERNAL_KEY_STORE",
        XksProxyUriEndpoint="https://xks.example.com", XksProxyUriPath="/kms/xks/v1",
        XksProxyConnectivity="PUBLIC_ENDPOINT",
        XksProxyAuthenticationCredential={"AccessKeyId": "ABCDEFGHIJKLMNOPQRST",
                                          "RawSecretAccessKey": "a" * 43})["CustomKeyStoreId"]
    stores = kms.describe_custom_key_stores()["CustomKeyStores"]
    assert {s["CustomKeyStoreId"]: s["ConnectionState"] for s in stores} == {hsm: "DISCONNECTED", xks: "DISCONNECTED"}
    refused("CustomKeyStoreInvalidStateException", kms.create_key, Origin="AWS_CLOUDHSM", CustomKeyStoreId=hsm)
    refused("CustomKeyStoreNotFoundException", kms.create_key, Origin="AWS_CLOUDHSM",
            CustomKeyStoreId="cks-0123456789abcdef0")
    kms.connect_custom_key_store(CustomKeyStoreId=hsm)
    kms.connect_custom_key_store(CustomKeyStoreId=xks)
    in_hsm = kms.create_key(Origin="AWS_CLOUDHSM", CustomKeyStoreId=hsm)["KeyMetadata"]
    assert in_hsm["Origin"] == "AWS_CLOUDHSM" and in_hsm["CustomKeyStoreId"] == hsm, in_hsm
    in_xks = kms.create_key(Origin="EXTERNAL_KEY_STORE", CustomKeyStoreId=xks, XksKeyId="ext-1")["KeyMetadata"]
    assert in_xks["XksKeyConfiguration"] == {"Id": "ext-1"}, in_xks
    refused("XksKeyAlreadyInUseException", kms.create_key, Origin="EXTERNAL_KEY_STORE",
            CustomKeyStoreId=xks, XksKeyId="ext-1")
    assert len(kms.generate_random(NumberOfBytes=8, CustomKeyStoreId=hsm)["Plaintext"]) == 8
    refused("UnsupportedOperationException", kms.generate_random, NumberOfBytes=8, CustomKeyStoreId=xks)
    refused("UnsupportedOperationException", kms.enable_key_rotation, KeyId=in_hsm["KeyId"])
    blob = kms.encrypt(KeyId=in_xks["KeyId"], Plaintext=b"xks")["CiphertextBlob"]
    kms.disconnect_custom_key_store(CustomKeyStoreId=xks)
    assert kms.describe_key(KeyId=in_xks["KeyId"])["KeyMetadata"]["KeyState"] == "Unavailable"
    message = refused("KMSInvalidStateException", kms.decrypt, CiphertextBlob=blob)
    assert message.endswith("is unavailable."), message
    refused("CustomKeyStoreHasCMKsException", kms.delete_custom_key_store, CustomKeyStoreId=xks)
    refused("CustomKeyStoreInvalidStateException", kms.delete_custom_key_store, CustomKeyStoreId=hsm)
    kms.update_custom_key_store(CustomKeyStoreId=hsm, NewCustomKeyStoreName="renamed")
    named = kms.describe_custom_key_stores(CustomKeyStoreName="renamed")["CustomKeyStores"]
    assert [s["CustomKeyStoreId"] for s in named] == [hsm], named
    kms.connect_custom_key_store(CustomKeyStoreId=xks)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"xks"


def settled(kms, store):
    """The store's entry once it is no longer CONNECTING."""
    for _ in range(3000):
        entry = kms.describe_custom_key_stores(CustomKeyStoreId=store)["CustomKeyStores"][0]
        if entry["ConnectionState"] != "CONNECTING":
            return entry
        time.sleep(0.02)
    raise AssertionError(f"{store} is still CONNECTING")


def external_key_store():
    """An external key store with a live proxy: `keyward xks-proxy` at the
    loopback address in argv[3] (secret in argv[4]), `keyward serve
    --xks-plain-http`. Connecting calls its health check, CreateKey its key
    metadata, and blobs are doubly encrypted (docs/custom-key-stores.md)."""
    proxy, secret, access_key = sys.argv[3], sys.argv[4], "AKIAXKSKEYSTESTABCDE"
    kms = client(ROOT)
    store = kms.create_custom_key_store(
        CustomKeyStoreName="live", CustomKeyStoreType="EXTERNAL_KEY_STORE",
        XksProxyUriEndpoint="http://" + proxy, XksProxyUriPath="/example/kms/xks/v1",
        XksProxyConnectivity="PUBLIC_ENDPOINT",
        XksProxyAuthenticationCredential={"AccessKeyId": access_key,
                                          "RawSecretAccessKey": secret})["CustomKeyStoreId"]
    kms.connect_custom_key_store(CustomKeyStoreId=store)
    # ConnectCustomKeyStore answers while the health check runs (CONNECTING).
    entry = settled(kms, store)
    assert entry["ConnectionState"] == "CONNECTED", entry
    key = kms.create_key(Origin="EXTERNAL_KEY_STORE", CustomKeyStoreId=store, XksKeyId="k1")["KeyMetadata"]
    assert key["XksKeyConfiguration"] == {"Id": "k1"}, key
    refused("XksKeyNotFoundException", kms.create_key, Origin="EXTERNAL_KEY_STORE",
            CustomKeyStoreId=store, XksKeyId="k9")
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"xks", EncryptionContext={"a": "b"})["CiphertextBlob"]
    assert blob[:3] == b"KW\x02", blob[:3]
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "b"})["Plaintext"] == b"xks"
    data_key = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")
    assert kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"] == data_key["Plaintext"]
    # A credential the proxy refuses is refused before it is saved (KMS asks
    # the proxy's health with the new values); while the store is
    # disconnected the key's operations are KMSInvalidStateException.
    kms.disconnect_custom_key_store(CustomKeyStoreId=store)
    refused("XksProxyIncorrectAuthenticationCredentialException", kms.update_custom_key_store,
            CustomKeyStoreId=store, XksProxyAuthenticationCredential={
                "AccessKeyId": access_key, "RawSecretAccessKey": "b" * 43})
    refused("KMSInvalidStateException", kms.decrypt, CiphertextBlob=blob, EncryptionContext={"a": "b"})


SCENARIOS = {
    "custom_key_stores": custom_key_stores,
    "external_key_store": external_key_store,
    "multi_region": multi_region,
    "import_material": import_material,
    "import_kinds": import_kinds,
    "validation": validation,
    "dry_run": dry_run,
    "newer_members": newer_members,
}

if __name__ == "__main__":
    SCENARIOS[sys.argv[2]]()
    print(f"{sys.argv[2]}: passed")
