"""The other half of tests/raw_aes.rs: the AWS Encryption SDK for Python (3.3.1, in target/py)
encrypts or decrypts a file with its raw AES keyring (`RawMasterKey`, the raw AES keyring's
equivalent), so keyward's `--raw-aes-key` is checked against it both ways.

    raw_aes.py encrypt KEY_FILE NAMESPACE NAME SUITE FRAME_LENGTH IN OUT [K=V ...]
    raw_aes.py decrypt KEY_FILE NAMESPACE NAME IN OUT [K=V ...]   # K=V: pairs the context must hold

Decryption prints the message's encryption context as JSON on standard output.
"""
import json, sys
import aws_encryption_sdk
from aws_encryption_sdk.identifiers import Algorithm, CommitmentPolicy, EncryptionKeyType, WrappingAlgorithm
from aws_encryption_sdk.internal.crypto.wrapping_keys import WrappingKey
from aws_encryption_sdk.key_providers.raw import RawMasterKey

WRAPPING = {
    16: WrappingAlgorithm.AES_128_GCM_IV12_TAG16_NO_PADDING,
    24: WrappingAlgorithm.AES_192_GCM_IV12_TAG16_NO_PADDING,
    32: WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
}


def master_key(key_file, namespace, name):
    key = open(key_file, "rb").read()
    wrapping = WrappingKey(
        wrapping_algorithm=WRAPPING[len(key)], wrapping_key=key, wrapping_key_type=EncryptionKeyType.SYMMETRIC
    )
    return RawMasterKey(provider_id=namespace, key_id=name.encode(), wrapping_key=wrapping)


def pairs(args):
    return dict(arg.split("=", 1) for arg in args)


def main(command, key_file, namespace, name, *rest):
    client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
    key = master_key(key_file, namespace, name)
    if command == "encrypt":
        suite, frame_length, source, target, *context = rest
        message, _ = client.encrypt(
            source=open(source, "rb").read(),
            key_provider=key,
            encryption_context=pairs(context),
            algorithm=Algorithm[suite],
            frame_length=int(frame_length),
        )
        open(target, "wb").write(message)
    else:
        source, target, *required = rest
        plaintext, header = client.decrypt(source=open(source, "rb").read(), key_provider=key)
        for k, v in pairs(required).items():
            if header.encryption_context.get(k) != v:
                sys.exit(f"the context has no {k}={v}")
        open(target, "wb").write(plaintext)
        context = {k: v for k, v in header.encryption_context.items() if not k.startswith("aws-crypto-")}
        print(json.dumps(context, sort_keys=True))


if __name__ == "__main__":
    main(*sys.argv[1:])
