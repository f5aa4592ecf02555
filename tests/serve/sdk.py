"""keyward serve driven by a real AWS SDK (boto3): one scenario per run.

    python sdk.py ENDPOINT SCENARIO

Access keys come from accounts.json beside this file. A failed check raises,
so the exit status is non-zero and the traceback says which check.
"""

import base64
import datetime
import json
import sys

import boto3
import botocore.auth
import botocore.exceptions
from botocore.config import Config

ENDPOINT = sys.argv[1]
ACCOUNT = "111122223333"
ROOT = ("AKIAROOT000000000001", "root-secret-0000000000000000000000000000")
APP = ("AKIAAPP0000000000001", "app-secret-00000000000000000000000000000")
ATTACKER = ("AKIAATTACKER00000001", "attacker-secret-000000000000000000000000")
PARTNER_ACCOUNT = "444455556666"
PARTNER = ("AKIAPARTNERROOT00001", "partner-secret-0000000000000000000000000")
APP_ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
ATTACKER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/attacker"
READER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/reader"
# No retries (a refusal must show at once), and no client-side validation,
# so the server's own checks are what is tested.
CONFIG = Config(retries={"total_max_attempts": 1}, parameter_validation=False)


def client(credentials, region="us-east-1", service="kms"):
    key, secret = credentials
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=CONFIG,
    )


def temporary(creds, service="kms", token=None):
    """A client signing with STS temporary credentials (`token` replaces
    their session token)."""
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=token or creds["SessionToken"],
        config=CONFIG,
    )


def refused(name, call, *args, **kwargs):
    """Checks that the call fails with the AWS error `name` and a 4xx status."""
    try:
        call(*args, **kwargs)
    except botocore.exceptions.ClientError as e:
        code = e.response["Error"]["Code"]
        status = e.response["ResponseMetadata"]["HTTPStatusCode"]
        assert code == name, f"expected {name}, got {code}: {e}"
        assert 400 <= status < 500, f"{name} came with HTTP {status}"
        return e.response["Error"].get("Message", "")
    raise AssertionError(f"expected {name}, but the call succeeded")


def key_policy(extra_statements):
    admin = {
        "Sid": "Key administrators",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": [
            "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
            "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
            "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
            "kms:CancelKeyDeletion", "kms:Encrypt", "kms:GenerateDataKey*",
        ],
        "Resource": "*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [admin] + extra_statements})


def policy_and_grants():
    root, app, attacker = client(ROOT), client(APP), client(ATTACKER)
    key = root.create_key(Description="orders")["KeyMetadata"]["KeyId"]
    app_may_use_acme = {
        "Sid": "The app, for tenant acme",
        "Effect": "Allow",
        "Principal": {"AWS": APP_ROLE},
        "Action": ["kms:Encrypt", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:EncryptionContext:tenant": "acme"}},
    }
    root.put_key_policy(KeyId=key, PolicyName="default", Policy=key_policy([app_may_use_acme]))
    acme = {"tenant": "acme"}
    blob = app.encrypt(KeyId=key, Plaintext=b"order 1", EncryptionContext=acme)["CiphertextBlob"]
    assert app.decrypt(CiphertextBlob=blob, EncryptionContext=acme)["Plaintext"] == b"order 1"
    # The context is bound: another one does not open the ciphertext.
    bound = app.encrypt(KeyId=key, Plaintext=b"x", EncryptionContext={"tenant": "acme", "order": "1"})["CiphertextBlob"]
    refused("InvalidCiphertextException", app.decrypt, CiphertextBlob=bound, EncryptionContext={"tenant": "acme", "order": "2"})
    refused("AccessDeniedException", app.encrypt, KeyId=key, Plaintext=b"x", EncryptionContext={"tenant": "other"})
    # The attacker's identity policy allows kms:Decrypt, but the key policy
    # does not delegate Decrypt to the account.
    message = refused("AccessDeniedException", attacker.decrypt, CiphertextBlob=blob, EncryptionContext=acme)
    assert "assumed-role/attacker" in message, message
    grant = root.create_grant(
        KeyId=key,
        GranteePrincipal=ATTACKER_ROLE,
        Operations=["Decrypt"],
        Constraints={"EncryptionContextSubset": acme},
    )
    assert attacker.decrypt(CiphertextBlob=blob, EncryptionContext=acme)["Plaintext"] == b"order 1"
    other = root.encrypt(KeyId=key, Plaintext=b"y", EncryptionContext={"tenant": "other"})["CiphertextBlob"]
    refused("AccessDeniedException", attacker.decrypt, CiphertextBlob=other, EncryptionContext={"tenant": "other"})
    grants = root.list_grants(KeyId=key)["Grants"]
    assert [g["GrantId"] for g in grants] == [grant["GrantId"]], grants
    root.retire_grant(KeyId=key, GrantId=grant["GrantId"])
    refused("AccessDeniedException", attacker.decrypt, CiphertextBlob=blob, EncryptionContext=acme)
    assert root.list_grants(KeyId=key)["Grants"] == []


def aliases():
    kms = client(ROOT)
    first = kms.create_key()["KeyMetadata"]
    second = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/orders", TargetKeyId=first["KeyId"])
    refused("AlreadyExistsException", kms.create_alias, AliasName="alias/orders", TargetKeyId=second["KeyId"])
    refused("ValidationException", kms.create_alias, AliasName="orders", TargetKeyId=first["KeyId"])
    by_name = kms.encrypt(KeyId="alias/orders", Plaintext=b"x")
    assert by_name["KeyId"] == first["Arn"], by_name
    alias_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/orders"
    assert kms.describe_key(KeyId=alias_arn)["KeyMetadata"]["KeyId"] == first["KeyId"]
    kms.update_alias(AliasName="alias/orders", TargetKeyId=second["KeyId"])
    assert kms.encrypt(KeyId="alias/orders", Plaintext=b"x")["KeyId"] == second["Arn"]
    listed = kms.list_aliases(KeyId=second["KeyId"])["Aliases"]
    assert [a["AliasName"] for a in listed] == ["alias/orders"], listed
    assert listed[0]["AliasArn"] == alias_arn
    kms.delete_alias(AliasName="alias/orders")
    refused("NotFoundException", kms.encrypt, KeyId="alias/orders", Plaintext=b"x")
    # Keys and aliases are per Region: eu-west-1 has neither.
    refused("NotFoundException", client(ROOT, region="eu-west-1").describe_key, KeyId=first["KeyId"])
    refused("NotFoundException", kms.describe_key, KeyId=first["Arn"].replace("us-east-1", "eu-west-1"))


def key_states():
    kms = client(ROOT)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    kms.disable_key(KeyId=key)
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Disabled"
    refused("DisabledException", kms.encrypt, KeyId=key, Plaintext=b"x")
    kms.enable_key(KeyId=key)
    deletion = kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    assert deletion["KeyState"] == "PendingDeletion", deletion
    assert isinstance(deletion["DeletionDate"], datetime.datetime)
    refused("KMSInvalidStateException", kms.decrypt, CiphertextBlob=blob)
    refused("ValidationException", kms.schedule_key_deletion, KeyId=key, PendingWindowInDays=3)
    kms.cancel_key_deletion(KeyId=key)
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Disabled"
    kms.enable_key(KeyId=key)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
    kms.enable_key_rotation(KeyId=key)
    assert kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is True
    kms.rotate_key_on_demand(KeyId=key)
    assert len(kms.list_key_rotations(KeyId=key)["Rotations"]) == 1
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
    data_key = kms.generate_data_key(KeyId=key, KeySpec="AES_256", EncryptionContext={"a": "b"})
    assert len(data_key["Plaintext"]) == 32
    opened = kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"], EncryptionContext={"a": "b"})
    assert opened["Plaintext"] == data_key["Plaintext"]
    kms.tag_resource(KeyId=key, Tags=[{"TagKey": "team", "TagValue": "billing"}])
    assert kms.list_resource_tags(KeyId=key)["Tags"] == [{"TagKey": "team", "TagValue": "billing"}]


def errors():
    kms = client(ROOT)
    missing = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000"
    refused("NotFoundException", kms.describe_key, KeyId=missing)
    refused("ValidationException", kms.describe_key)
    refused("ValidationException", kms.generate_random, NumberOfBytes=0)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    refused("ValidationException", kms.encrypt, KeyId=key, Plaintext=b"x" * 4097)
    refused("InvalidCiphertextException", kms.decrypt, CiphertextBlob=b"not a ciphertext")
    refused("MalformedPolicyDocumentException", kms.put_key_policy, KeyId=key, PolicyName="default", Policy="{}")
    # A symmetric key cannot sign.
    refused("InvalidKeyUsageException", kms.sign, KeyId=key, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
    # A CloudHSM key store (the default type) needs its cluster, trust anchor and password.
    refused("ValidationException", kms.create_custom_key_store, CustomKeyStoreName="s")


def pagination():
    kms = client(ROOT)
    keys = sorted(kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(5))
    page = kms.list_keys(Limit=2)
    assert page["Truncated"] is True and len(page["Keys"]) == 2, page
    seen = [k["KeyId"] for k in page["Keys"]]
    while page["Truncated"]:
        page = kms.list_keys(Limit=2, Marker=page["NextMarker"])
        seen += [k["KeyId"] for k in page["Keys"]]
    assert "NextMarker" not in page
    assert seen == keys, (seen, keys)
    paged = [k["KeyId"] for p in kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 3}) for k in p["Keys"]]
    assert paged == keys
    for i in range(3):
        kms.create_alias(AliasName=f"alias/page-{i}", TargetKeyId=keys[0])
    aliases = [a["AliasName"] for p in kms.get_paginator("list_aliases").paginate(KeyId=keys[0], PaginationConfig={"PageSize": 1}) for a in p["Aliases"]]
    assert aliases == ["alias/page-0", "alias/page-1", "alias/page-2"], aliases
    refused("InvalidMarkerException", kms.list_keys, Marker="not-a-marker")
    refused("ValidationException", kms.list_keys, Limit=0)


def caller_identity():
    who = client(APP, service="sts").get_caller_identity()
    assert who["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/app/worker", who
    assert who["Account"] == ACCOUNT
    # aws:userid's value: the role's RoleId (accounts.json) and the session.
    assert who["UserId"] == "AROAAPPROLEEXAMPLE001:worker", who
    root = client(ROOT, service="sts").get_caller_identity()
    assert root["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert root["UserId"] == ACCOUNT, root
    try:
        client(("AKIAUNKNOWN000000001", "x"), service="sts").get_caller_identity()
        raise AssertionError("an unknown key was accepted")
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "InvalidClientTokenId", e.response
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def signatures():
    key = client(ROOT).create_key()["KeyMetadata"]["KeyId"]
    wrong_secret = (APP[0], "not-the-secret")
    refused("InvalidSignatureException", client(wrong_secret).describe_key, KeyId=key)
    refused("UnrecognizedClientException", client(("AKIAUNKNOWN000000001", "x")).describe_key, KeyId=key)
    message = refused("InvalidSignatureException", client(ROOT, region="nowhere").describe_key, KeyId=key)
    assert "region" in message, message
    # A request signed 20 minutes ago has expired (AWS allows 15).
    real_now = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda: real_now() - datetime.timedelta(minutes=20)
    try:
        message = refused("InvalidSignatureException", client(ROOT).describe_key, KeyId=key)
        assert "Signature expired" in message, message
    finally:
        botocore.auth.get_current_datetime = real_now
    # A KMS request signed for another service.
    sts_signed = client(ROOT)
    sts_signed.meta.events.register(
        "before-sign.kms.*", lambda request, **_: request.context.setdefault("signing", {}).update(signing_name="sts")
    )
    refused("InvalidSignatureException", sts_signed.describe_key, KeyId=key)
    assert client(ROOT).describe_key(KeyId=key)["KeyMetadata"]["KeyId"] == key


def test_mode():
    """Test mode: any unknown key is a root, as with moto's server mode."""
    kms = client(("AKIAANYTHING00000001", "anything"))
    key = kms.create_key()["KeyMetadata"]
    assert key["AWSAccountId"] == "444455556666", key
    other = client(("999988887777", "anything"))
    assert other.create_key()["KeyMetadata"]["AWSAccountId"] == "999988887777"
    refused("NotFoundException", other.describe_key, KeyId=key["KeyId"])
    blob = base64.b64encode(kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"])
    assert blob


def key_kinds():
    """Every key kind over the SDK, each answer checked with `cryptography`
    (an implementation keyward does not use)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mlkem, padding

    kms = client(ROOT)

    def create(spec, usage):
        return kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]

    # RSA: PSS and PKCS#1 v1.5 signatures verify with the public key.
    rsa = create("RSA_2048", "SIGN_VERIFY")
    assert rsa["SigningAlgorithms"] == [
        "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
        "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
    ], rsa
    assert "CurrentKeyMaterialId" not in rsa and "EncryptionAlgorithms" not in rsa
    public = kms.get_public_key(KeyId=rsa["KeyId"])
    assert public["KeyUsage"] == "SIGN_VERIFY" and public["KeySpec"] == "RSA_2048", public
    rsa_public = serialization.load_der_public_key(public["PublicKey"])
    release = b"keyward-1.0.tar.gz contents"
    signed = kms.sign(KeyId=rsa["KeyId"], Message=release, SigningAlgorithm="RSASSA_PSS_SHA_256")
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
    rsa_public.verify(signed["Signature"], release, pss, hashes.SHA256())
    signed = kms.sign(KeyId=rsa["KeyId"], Message=release, SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_512")
    rsa_public.verify(signed["Signature"], release, padding.PKCS1v15(), hashes.SHA512())
    assert kms.verify(KeyId=rsa["KeyId"], Message=release, Signature=signed["Signature"],
                      SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_512")["SignatureValid"] is True
    refused("KMSInvalidSignatureException", kms.verify, KeyId=rsa["KeyId"], Message=b"tampered",
            Signature=signed["Signature"], SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_512")
    refused("InvalidKeyUsageException", kms.sign, KeyId=rsa["KeyId"], Message=release, SigningAlgorithm="ECDSA_SHA_256")
    message = refused("ValidationException", kms.sign, KeyId=rsa["KeyId"], Message=b"short", MessageType="DIGEST",
                      SigningAlgorithm="RSASSA_PSS_SHA_256")
    assert message == "Digest is invalid length for algorithm RSASSA_PSS_SHA_256.", message
    refused("InvalidKeyUsageException", kms.encrypt, KeyId=rsa["KeyId"], Plaintext=b"x")

    # ECDSA on P-256 and secp256k1, over a message and over its digest.
    for spec, curve in [("ECC_NIST_P256", ec.SECP256R1), ("ECC_SECG_P256K1", ec.SECP256K1)]:
        key = create(spec, "SIGN_VERIFY")["KeyId"]
        public = serialization.load_der_public_key(kms.get_public_key(KeyId=key)["PublicKey"])
        assert isinstance(public.curve, curve), public.curve
        signature = kms.sign(KeyId=key, Message=release, SigningAlgorithm="ECDSA_SHA_256")["Signature"]
        public.verify(signature, release, ec.ECDSA(hashes.SHA256()))

    # Ed25519 (pure, RAW messages).
    key = create("ECC_NIST_EDWARDS25519", "SIGN_VERIFY")["KeyId"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key)["PublicKey"])
    assert isinstance(public, ed25519.Ed25519PublicKey)
    public.verify(kms.sign(KeyId=key, Message=release, SigningAlgorithm="ED25519_SHA_512")["Signature"], release)

    # ML-DSA-65.
    key = create("ML_DSA_65", "SIGN_VERIFY")["KeyId"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key)["PublicKey"])
    public.verify(kms.sign(KeyId=key, Message=release, SigningAlgorithm="ML_DSA_SHAKE_256")["Signature"], release)

    # RSA encryption: a ciphertext made from the public key decrypts in KMS.
    rsa = create("RSA_3072", "ENCRYPT_DECRYPT")
    assert rsa["EncryptionAlgorithms"] == ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"], rsa
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=rsa["KeyId"])["PublicKey"])
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    ciphertext = public.encrypt(b"a secret", oaep)
    opened = kms.decrypt(KeyId=rsa["KeyId"], CiphertextBlob=ciphertext, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert opened["Plaintext"] == b"a secret" and opened["EncryptionAlgorithm"] == "RSAES_OAEP_SHA_256", opened
    message = refused("ValidationException", kms.encrypt, KeyId=rsa["KeyId"], Plaintext=b"x" * 319,
                      EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert message == "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_3072 cannot encrypt data larger than 318 bytes.", message

    # ECDH: the same secret on both sides.
    key = create("ECC_NIST_P384", "KEY_AGREEMENT")
    assert key["KeyAgreementAlgorithms"] == ["ECDH"], key
    kms_public = serialization.load_der_public_key(kms.get_public_key(KeyId=key["KeyId"])["PublicKey"])
    ours = ec.generate_private_key(ec.SECP384R1())
    our_public = ours.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    derived = kms.derive_shared_secret(KeyId=key["KeyId"], KeyAgreementAlgorithm="ECDH", PublicKey=our_public)
    assert derived["SharedSecret"] == ours.exchange(ec.ECDH(), kms_public), derived

    # HMAC.
    key = create("HMAC_256", "GENERATE_VERIFY_MAC")
    assert key["MacAlgorithms"] == ["HMAC_SHA_256"], key
    mac = kms.generate_mac(KeyId=key["KeyId"], Message=b"webhook body", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert len(mac) == 32
    assert kms.verify_mac(KeyId=key["KeyId"], Message=b"webhook body", Mac=mac, MacAlgorithm="HMAC_SHA_256")["MacValid"]
    refused("KMSInvalidMacException", kms.verify_mac, KeyId=key["KeyId"], Message=b"forged", Mac=mac, MacAlgorithm="HMAC_SHA_256")
    message = refused("InvalidKeyUsageException", kms.generate_mac, KeyId=key["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_512")
    assert message == "Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256.", message

    # ML-KEM: a secret encapsulated with the public key decapsulates in KMS.
    key = create("ML_KEM_768", "ENCAPSULATE_DECAPSULATE")["KeyId"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key)["PublicKey"])
    secret, ciphertext = public.encapsulate()
    opened = kms.decapsulate(KeyId=key, SharedSecretCiphertextBlob=ciphertext, EncapsulationAlgorithm="ML_KEM")
    assert opened["SharedSecret"] == secret
    made = kms.encapsulate(KeyId=key, EncapsulationAlgorithm="ML_KEM")
    assert len(made["SharedSecretCiphertextBlob"]) == 1088 and len(made["SharedSecret"]) == 32, made

    # Data key pairs under a symmetric key, the private key sealed with the context.
    wrapping = kms.create_key()["KeyMetadata"]["KeyId"]
    pair = kms.generate_data_key_pair(KeyId=wrapping, KeyPairSpec="ECC_NIST_P256", EncryptionContext={"app": "ssh"})
    private = serialization.load_der_private_key(pair["PrivateKeyPlaintext"], password=None)
    assert private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == pair["PublicKey"]
    opened = kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"], EncryptionContext={"app": "ssh"})
    assert opened["Plaintext"] == pair["PrivateKeyPlaintext"]
    bare = kms.generate_data_key_pair_without_plaintext(KeyId=wrapping, KeyPairSpec="RSA_2048")
    assert "PrivateKeyPlaintext" not in bare and bare["KeyPairSpec"] == "RSA_2048", bare

    # Key kinds do not rotate; SM2 is a China Regions spec.
    refused("UnsupportedOperationException", kms.enable_key_rotation, KeyId=rsa["KeyId"])
    refused("UnsupportedOperationException", kms.create_key, KeySpec="SM2", KeyUsage="SIGN_VERIFY")
    refused("ValidationException", kms.create_key, KeySpec="ECC_NIST_P256")
    refused("DryRunOperationException", kms.sign, KeyId=create("ECC_NIST_P521", "SIGN_VERIFY")["KeyId"],
            Message=b"m", SigningAlgorithm="ECDSA_SHA_512", DryRun=True)


def cross_account_re_encrypt():
    """ReEncrypt between accounts: kms:ReEncryptFrom under the source key's
    policy, kms:ReEncryptTo under the destination key's (key ARN or alias ARN
    of another account); the source key is the one the ciphertext names.
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
    https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html"""
    root, partner = client(ROOT), client(PARTNER)

    def trusting(owner, other, actions):
        return json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{owner}:root"}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{other}:root"}, "Action": actions, "Resource": "*"},
        ]})

    source = root.create_key(Policy=trusting(ACCOUNT, PARTNER_ACCOUNT, ["kms:Encrypt", "kms:ReEncryptFrom"]))["KeyMetadata"]
    archive = partner.create_key(Policy=trusting(PARTNER_ACCOUNT, ACCOUNT, ["kms:ReEncryptTo"]))["KeyMetadata"]
    closed = partner.create_key()["KeyMetadata"]
    partner.create_alias(AliasName="alias/archive", TargetKeyId=archive["KeyId"])
    blob = root.encrypt(KeyId=source["KeyId"], Plaintext=b"invoice 1")["CiphertextBlob"]

    # The owner of the source key re-encrypts to the partner's key by ARN...
    moved = root.re_encrypt(CiphertextBlob=blob, DestinationKeyId=archive["Arn"])
    assert moved["SourceKeyId"] == source["Arn"] and moved["KeyId"] == archive["Arn"], moved
    assert partner.decrypt(CiphertextBlob=moved["CiphertextBlob"])["Plaintext"] == b"invoice 1"
    # ...or by alias ARN.
    alias_arn = f"arn:aws:kms:us-east-1:{PARTNER_ACCOUNT}:alias/archive"
    assert root.re_encrypt(CiphertextBlob=blob, DestinationKeyId=alias_arn)["KeyId"] == archive["Arn"]
    # The partner's default key policy trusts only the partner's account.
    message = refused("AccessDeniedException", root.re_encrypt, CiphertextBlob=blob, DestinationKeyId=closed["Arn"])
    assert "kms:ReEncryptTo" in message, message

    # The partner holds a ciphertext of the other account's key and moves it
    # under its own key without naming the source key.
    theirs = partner.encrypt(KeyId=source["Arn"], Plaintext=b"invoice 2")["CiphertextBlob"]
    mine = partner.re_encrypt(CiphertextBlob=theirs, DestinationKeyId=closed["KeyId"])
    assert mine["SourceKeyId"] == source["Arn"] and mine["KeyId"] == closed["Arn"], mine
    assert partner.decrypt(CiphertextBlob=mine["CiphertextBlob"])["Plaintext"] == b"invoice 2"


def assume_role():
    """STS AssumeRole: the trust policy (with its sts:ExternalId condition)
    decides who may assume the role; the temporary credentials sign as the
    role's session, with the role's identity policy, and only with their
    session token (API_AssumeRole.html, id_roles_use.html)."""
    root = client(ROOT)
    key = root.create_key()["KeyMetadata"]["KeyId"]
    blob = root.encrypt(KeyId=key, Plaintext=b"nightly report")["CiphertextBlob"]

    sts = client(APP, service="sts")
    answer = sts.assume_role(
        RoleArn=READER_ROLE, RoleSessionName="nightly", ExternalId="reader-ext-id", DurationSeconds=900
    )
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/nightly", answer
    assert answer["AssumedRoleUser"]["AssumedRoleId"] == "AROAREADERROLEEXAMPL2:nightly", answer
    creds = answer["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA"), creds["AccessKeyId"]
    lifetime = creds["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(seconds=850) < lifetime <= datetime.timedelta(seconds=900), lifetime

    who = temporary(creds, "sts").get_caller_identity()
    assert who["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/nightly", who
    assert who["UserId"] == "AROAREADERROLEEXAMPL2:nightly", who
    reader = temporary(creds)
    assert reader.decrypt(CiphertextBlob=blob)["Plaintext"] == b"nightly report"
    # The reader role's identity policy allows Decrypt and DescribeKey only.
    refused("AccessDeniedException", reader.encrypt, KeyId=key, Plaintext=b"x")
    # Its access key without its token, or with another, is not accepted.
    refused("UnrecognizedClientException", temporary(creds, token="bm90IHRoZSB0b2tlbg==").describe_key, KeyId=key)

    # The trust policy requires the external id, and names only the app role.
    refused("AccessDenied", sts.assume_role, RoleArn=READER_ROLE, RoleSessionName="nightly")
    refused(
        "AccessDenied",
        client(ATTACKER, service="sts").assume_role,
        RoleArn=READER_ROLE,
        RoleSessionName="nightly",
        ExternalId="reader-ext-id",
    )
    refused("AccessDenied", sts.assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/nosuchrole", RoleSessionName="s1")
    # The role's sessions last an hour at most; names follow STS's pattern.
    refused(
        "ValidationError",
        sts.assume_role,
        RoleArn=READER_ROLE,
        RoleSessionName="nightly",
        ExternalId="reader-ext-id",
        DurationSeconds=7200,
    )
    refused("ValidationError", sts.assume_role, RoleArn=READER_ROLE, RoleSessionName="no spaces")

    # Session tags need sts:TagSession (the trust policy allows team=billing
    # only) and override the role's tag of the same key (team=ops):
    # id_session-tags.html.
    tagged = sts.assume_role(
        RoleArn=READER_ROLE,
        RoleSessionName="tagged",
        ExternalId="reader-ext-id",
        Tags=[{"Key": "team", "Value": "billing"}],
    )["Credentials"]
    billing = temporary(tagged)
    assert billing.encrypt(KeyId=key, Plaintext=b"tagged")["KeyId"].endswith(key)
    message = refused(
        "AccessDenied",
        sts.assume_role,
        RoleArn=READER_ROLE,
        RoleSessionName="tagged",
        ExternalId="reader-ext-id",
        Tags=[{"Key": "team", "Value": "ops"}],
    )
    assert "sts:TagSession" in message, message
    refused(
        "ValidationError",
        sts.assume_role,
        RoleArn=READER_ROLE,
        RoleSessionName="tagged",
        ExternalId="reader-ext-id",
        Tags=[{"Key": "team", "Value": "a"}, {"Key": "TEAM", "Value": "b"}],
    )


def session_token():
    """STS GetSessionToken: credentials that sign as the same root user (one
    hour at most for the root), refused to a role's session
    (API_GetSessionToken.html)."""
    answer = client(ROOT, service="sts").get_session_token(DurationSeconds=7200)
    creds = answer["Credentials"]
    lifetime = creds["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(seconds=3500) < lifetime <= datetime.timedelta(seconds=3600), lifetime

    assert temporary(creds, "sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    key = temporary(creds).create_key()["KeyMetadata"]["KeyId"]
    assert client(ROOT).describe_key(KeyId=key)["KeyMetadata"]["KeyManager"] == "CUSTOMER"
    refused("AccessDenied", client(APP, service="sts").get_session_token)
    refused("ValidationError", client(ROOT, service="sts").get_session_token, DurationSeconds=60)


SCENARIOS = {
    "assume_role": assume_role,
    "session_token": session_token,
    "cross_account_re_encrypt": cross_account_re_encrypt,
    "policy_and_grants": policy_and_grants,
    "aliases": aliases,
    "key_states": key_states,
    "errors": errors,
    "pagination": pagination,
    "caller_identity": caller_identity,
    "signatures": signatures,
    "test_mode": test_mode,
    "key_kinds": key_kinds,
}

if __name__ == "__main__":
    SCENARIOS[sys.argv[2]]()
    print(f"{sys.argv[2]}: passed")
