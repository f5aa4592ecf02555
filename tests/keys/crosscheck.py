"""The Python side of tests/keys: ML-DSA, ML-KEM and SM4-GCM with `cryptography`.

Usage: crosscheck.py ml-dsa LEVEL | ml-kem LEVEL | sm4-blob 128, in a folder holding the
files the Rust test wrote; writes its answers beside them.
"""
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import mldsa, mlkem


def read(name):
    with open(name, "rb") as f:
        return f.read()


def write(name, data):
    with open(name, "wb") as f:
        f.write(data)


def der_public(key):
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def der_private(key):
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def ml_dsa(level):
    public = serialization.load_der_public_key(read("pub.der"))
    message = read("msg.bin")
    public.verify(read("sig.bin"), message)  # raises on a bad signature
    hasher = mldsa.MLDSAMuHasher(public)  # FIPS 204's external mu
    hasher.update(message)
    write("mu.bin", hasher.finalize())
    ours = getattr(mldsa, f"MLDSA{level}PrivateKey").generate()
    write("py-pub.der", der_public(ours.public_key()))
    write("py-priv.der", der_private(ours))
    write("py-sig.bin", ours.sign(message))


def ml_kem(level):
    private = serialization.load_der_private_key(read("priv.der"), password=None)
    write("py-secret.bin", private.decapsulate(read("ct.bin")))
    public = serialization.load_der_public_key(read("pub.der"))
    secret, ciphertext = public.encapsulate()
    write("py-ct.bin", ciphertext)
    write("py-ct-secret.bin", secret)


def sm4_blob(bits):
    """Opens keyward's blob of a China Region key (header.bin, body.bin) and
    seals one of its own under a fresh salt and nonce (py-blob.bin): key =
    HKDF-SHA256(material, salt, "keyward blob v1"), SM4-GCM, AAD = header +
    canonical context (canon.bin)."""
    import os

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.hashes import SHA256
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    material, header, body, canon = (read(n) for n in ("material.bin", "header.bin", "body.bin", "canon.bin"))
    assert len(material) * 8 == int(bits)

    def key(salt):
        return HKDF(SHA256(), len(material), salt=salt, info=b"keyward blob v1").derive(material)

    salt, nonce = header[-28:-12], header[-12:]
    opener = Cipher(algorithms.SM4(key(salt)), modes.GCM(nonce, body[-16:])).decryptor()
    opener.authenticate_additional_data(header + canon)
    write("plain.bin", opener.update(body[:-16]) + opener.finalize())
    salt, nonce = os.urandom(16), os.urandom(12)
    ours = header[:-28] + salt + nonce
    sealer = Cipher(algorithms.SM4(key(salt)), modes.GCM(nonce)).encryptor()
    sealer.authenticate_additional_data(ours + canon)
    sealed = sealer.update(b"sealed by python") + sealer.finalize()
    write("py-blob.bin", ours + sealed + sealer.tag)


if __name__ == "__main__":
    {"ml-dsa": ml_dsa, "ml-kem": ml_kem, "sm4-blob": sm4_blob}[sys.argv[1]](sys.argv[2])
