"""Writes the known-answer message of src/crypto/esdk/tests.rs (PYTHON_SDK_MESSAGE)
with the AWS Encryption SDK for Python: target/py/bin/python tests/data/esdk/python_sdk_message.py
"""
import sys, aws_encryption_sdk
from aws_encryption_sdk.materials_managers.base import CryptoMaterialsManager
from aws_encryption_sdk.materials_managers import EncryptionMaterials, DecryptionMaterials
from aws_encryption_sdk.structures import RawDataKey, DataKey, EncryptedDataKey, MasterKeyInfo
from aws_encryption_sdk.identifiers import Algorithm, CommitmentPolicy

KEY = bytes(range(32))
INFO = MasterKeyInfo(provider_id="aws-kms", key_info=b"arn:aws:kms:us-east-1:111122223333:key/kat")

class Fixed(CryptoMaterialsManager):
    def get_encryption_materials(self, request):
        alg = Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY
        return EncryptionMaterials(algorithm=alg,
            data_encryption_key=DataKey(key_provider=INFO, data_key=KEY, encrypted_data_key=b"kms-ciphertext"),
            encrypted_data_keys={EncryptedDataKey(key_provider=INFO, encrypted_data_key=b"kms-ciphertext")},
            encryption_context=request.encryption_context)
    def decrypt_materials(self, request):
        return DecryptionMaterials(data_key=RawDataKey(key_provider=INFO, data_key=KEY), verification_key=None)

client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
ct, _ = client.encrypt(source=b"keyward reads the SDK's messages" * 9, materials_manager=Fixed(), encryption_context={"purpose": "kat"}, frame_length=128)
sys.stdout.write(ct.hex())
