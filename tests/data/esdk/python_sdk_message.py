"""Writes the known-answer messages of src/crypto/esdk/tests.rs with the AWS Encryption SDK for
Python 3.3.1: every algorithm suite, framed (frame lengths 128 and 4096; plaintexts of 0, 1, f-1,
f, f+1 and 3f+2 bytes) and non-framed (frame length 0; 0, 1 and 386 bytes).

    target/py/bin/python tests/data/esdk/python_sdk_message.py > tests/data/esdk/python-3.3.1.json

A materials manager fixes the data key (the first bytes of 00 01 .. 1f), the encrypted data key and,
for the signing suites, the signing key, so that everything but the message id (random, kept in the
header) and the ECDSA signature (random) is determined. A message whose plaintext is under 512
bytes is kept whole (`message`); a larger one is kept as its header, its footer (signing suites)
and the SHA-256 and length of the whole message, which keyward rebuilds from the header and
compares (the file stays small). Each message is decrypted here before it is kept.
"""
import hashlib, io, json, struct, sys
import aws_encryption_sdk
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives.asymmetric import ec
from aws_encryption_sdk.materials_managers.base import CryptoMaterialsManager
from aws_encryption_sdk.materials_managers import EncryptionMaterials, DecryptionMaterials
from aws_encryption_sdk.structures import DataKey, EncryptedDataKey, MasterKeyInfo
from aws_encryption_sdk.identifiers import Algorithm, CommitmentPolicy
from aws_encryption_sdk.internal.crypto.authentication import Signer, Verifier
from aws_encryption_sdk.internal.defaults import ENCODED_SIGNER_KEY
from aws_encryption_sdk.internal.formatting.deserialize import deserialize_header, deserialize_header_auth

DATA_KEY = bytes(range(32))
# Private scalars of the signing keys, by curve size in bytes.
SCALARS = {32: bytes(range(1, 33)), 48: bytes(range(1, 49))}
INFO = MasterKeyInfo(provider_id="aws-kms", key_info=b"arn:aws:kms:us-east-1:111122223333:key/vectors")
EDK = b"kms-ciphertext"
CONTEXT = {"purpose": "vectors"}
WHOLE_BELOW = 512


def plaintext(n):
    return bytes(i * 31 % 251 for i in range(n))


def signing_key(algorithm):
    curve = algorithm.signing_algorithm_info()
    scalar = SCALARS[(curve.key_size + 7) // 8]
    return Signer(algorithm, ec.derive_private_key(int.from_bytes(scalar, "big"), curve, default_backend()))


class Fixed(CryptoMaterialsManager):
    def get_encryption_materials(self, request):
        algorithm = request.algorithm
        context = dict(request.encryption_context)
        signing = None
        if algorithm.signing_algorithm_info is not None:
            signer = signing_key(algorithm)
            context[ENCODED_SIGNER_KEY] = signer.encoded_public_key().decode()
            signing = signer.key_bytes()
        key = DATA_KEY[: algorithm.kdf_input_len]
        return EncryptionMaterials(
            algorithm=algorithm,
            data_encryption_key=DataKey(key_provider=INFO, data_key=key, encrypted_data_key=EDK),
            encrypted_data_keys={EncryptedDataKey(key_provider=INFO, encrypted_data_key=EDK)},
            encryption_context=context,
            signing_key=signing,
        )

    def decrypt_materials(self, request):
        algorithm = request.algorithm
        verification = None
        if algorithm.signing_algorithm_info is not None:
            point = request.encryption_context[ENCODED_SIGNER_KEY]
            verification = Verifier.from_encoded_point(algorithm, point).key_bytes()
        key = DATA_KEY[: algorithm.kdf_input_len]
        return DecryptionMaterials(
            data_key=DataKey(key_provider=INFO, data_key=key, encrypted_data_key=EDK), verification_key=verification
        )


def header_length(message):
    stream = io.BytesIO(message)
    header, _ = deserialize_header(stream)
    deserialize_header_auth(header.version, stream, header.algorithm)
    return stream.tell()


def vector(algorithm, frame_length, size):
    policy = (
        CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
        if algorithm.is_committing()
        else CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT
    )
    client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=policy)
    data = plaintext(size)
    message, _ = client.encrypt(
        source=data, materials_manager=Fixed(), encryption_context=CONTEXT, frame_length=frame_length,
        algorithm=algorithm,
    )
    opened, _ = client.decrypt(source=message, materials_manager=Fixed())
    assert opened == data, (algorithm, frame_length, size)
    out = {"suite": algorithm.algorithm_id, "frame_length": frame_length, "plaintext_length": size}
    if size < WHOLE_BELOW:
        out["message"] = message.hex()
        return out
    out["header"] = message[: header_length(message)].hex()
    if algorithm.signing_algorithm_info is not None:
        footer = message[-(2 + algorithm.signature_len):]
        assert struct.unpack(">H", footer[:2])[0] == algorithm.signature_len
        out["footer"] = footer.hex()
    out["message_length"] = len(message)
    out["sha256"] = hashlib.sha256(message).hexdigest()
    return out


vectors = []
for algorithm in Algorithm:
    for f in (128, 4096):
        for size in (0, 1, f - 1, f, f + 1, 3 * f + 2):
            vectors.append(vector(algorithm, f, size))
    for size in (0, 1, 386):
        vectors.append(vector(algorithm, 0, size))

json.dump(
    {
        "generator": "tests/data/esdk/python_sdk_message.py",
        "sdk": "aws-encryption-sdk " + aws_encryption_sdk.__version__ + " (Python)",
        "data_key": DATA_KEY.hex(),
        "signing_scalars": {"p256": SCALARS[32].hex(), "p384": SCALARS[48].hex()},
        "encryption_context": CONTEXT,
        "encrypted_data_key": {"provider_id": INFO.provider_id, "provider_info": INFO.key_info.decode(), "ciphertext": EDK.hex()},
        "plaintext": "byte i is i * 31 % 251",
        "vectors": vectors,
    },
    sys.stdout,
    indent=0,
)
sys.stdout.write("\n")
