"""The Python side of tests/keys: ML-DSA and ML-KEM with `cryptography`.

Usage: crosscheck.py ml-dsa LEVEL | ml-kem LEVEL, in a folder holding the
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


if __name__ == "__main__":
    {"ml-dsa": ml_dsa, "ml-kem": ml_kem}[sys.argv[1]](sys.argv[2])
