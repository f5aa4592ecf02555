"""The other half of tests/raw_keys/: the AWS Encryption SDK for Python (3.3.1, in target/py)
encrypts or decrypts a file with its raw keyrings (`RawMasterKey` with an AES or RSA
`WrappingAlgorithm`), so keyward's `--raw-aes-key` and `--raw-rsa-key` are checked against it
both ways, and makes RSA key pairs with `cryptography`.

    raw_keys.py encrypt SUITE FRAME_LENGTH IN OUT KEYS [K=V ...]
    raw_keys.py decrypt IN OUT KEYS [K=V ...]     # K=V: pairs the context must hold
    raw_keys.py rsa-key BITS PRIVATE_PEM PUBLIC_PEM

KEYS is a comma-separated list of raw keys, each `aes:FILE:NAMESPACE:NAME` or
`rsa:PADDING:PEM_FILE:NAMESPACE:NAME` (PADDING as the SDK's `WrappingAlgorithm`, e.g.
RSA_OAEP_SHA256_MGF1); several keys make a master key provider of them all (each wraps the data
key; any one decrypts). Decryption prints the message's encryption context as JSON.
"""
import json, sys
import aws_encryption_sdk
from aws_encryption_sdk.identifiers import Algorithm, CommitmentPolicy, EncryptionKeyType, WrappingAlgorithm
from aws_encryption_sdk.exceptions import InvalidKeyIdError
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.key_providers.base import MasterKeyProvider, MasterKeyProviderConfig
from aws_encryption_sdk.key_providers.raw import RawMasterKey
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

AES = {
    16: WrappingAlgorithm.AES_128_GCM_IV12_TAG16_NO_PADDING,
    24: WrappingAlgorithm.AES_192_GCM_IV12_TAG16_NO_PADDING,
    32: WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
}


def master_key(spec):
    kind, *rest = spec.split(":")
    if kind == "aes":
        key_file, namespace, name = rest
        key = open(key_file, "rb").read()
        wrapping = WrappingKey(
            wrapping_algorithm=AES[len(key)], wrapping_key=key, wrapping_key_type=EncryptionKeyType.SYMMETRIC
        )
    else:
        padding, pem_file, namespace, name = rest
        pem = open(pem_file, "rb").read()
        key_type = EncryptionKeyType.PRIVATE if b"PRIVATE KEY" in pem else EncryptionKeyType.PUBLIC
        wrapping = WrappingKey(
            wrapping_algorithm=WrappingAlgorithm[padding], wrapping_key=pem, wrapping_key_type=key_type
        )
    return RawMasterKey(provider_id=namespace, key_id=name.encode(), wrapping_key=wrapping)


class Keys(MasterKeyProvider):
    """The given master keys and no others: the first generates the data key, each wraps it."""

    provider_id = "keyward-tests"
    _config_class = MasterKeyProviderConfig

    def _new_master_key(self, key_id):
        raise InvalidKeyIdError(f"no master key {key_id!r} here")


def provider(specs):
    keys = Keys()
    for spec in specs.split(","):
        keys.add_master_key_provider(master_key(spec))
    return keys


def pairs(args):
    return dict(arg.split("=", 1) for arg in args)


def rsa_key(bits, private_file, public_file):
    key = rsa.generate_private_key(public_exponent=65537, key_size=int(bits))
    open(private_file, "wb").write(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    open(public_file, "wb").write(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def main(command, *rest):
    if command == "rsa-key":
        return rsa_key(*rest)
    client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
    if command == "encrypt":
        suite, frame_length, source, target, keys, *context = rest
        message, _ = client.encrypt(
            source=open(source, "rb").read(),
            key_provider=provider(keys),
            encryption_context=pairs(context),
            algorithm=Algorithm[suite],
            frame_length=int(frame_length),
        )
        open(target, "wb").write(message)
    else:
        source, target, keys, *required = rest
        plaintext, header = client.decrypt(source=open(source, "rb").read(), key_provider=provider(keys))
        for k, v in pairs(required).items():
            if header.encryption_context.get(k) != v:
                sys.exit(f"the context has no {k}={v}")
        open(target, "wb").write(plaintext)
        context = {k: v for k, v in header.encryption_context.items() if not k.startswith("aws-crypto-")}
        print(json.dumps(context, sort_keys=True))


if __name__ == "__main__":
    main(*sys.argv[1:])
