#!/usr/bin/env python3
"""An independent implementation of keyward's envelope format, version 1
(docs/envelope-format.md), written from the specification with
pyca/cryptography. It prints the known-answer vector that
`crypto::envelope` must reproduce byte for byte (docs/envelope-v1-kat.hex).

    python3 docs/envelope-kat.py > docs/envelope-v1-kat.hex
"""
import hashlib
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DATA_KEY = bytes(range(32))
MESSAGE_ID = b"\x5a" * 32
FRAME_SIZE = 1024
CONTEXT = {"purpose": "kat", "app": "keyward"}
KEYS = [("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", b"\xc0" * 8)]
PLAINTEXT = bytes(i % 251 for i in range(1500))


def hkdf(info):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=MESSAGE_ID, info=info).derive(DATA_KEY)


def canonical(context):
    out = struct.pack(">I", len(context))
    for key in sorted(context, key=lambda k: k.encode()):
        k, v = key.encode(), context[key].encode()
        out += struct.pack(">I", len(k)) + k + struct.pack(">I", len(v)) + v
    return out


def nonce(sequence):
    return b"\x00" * 8 + struct.pack(">I", sequence)


frame_key = AESGCM(hkdf(b"keyward envelope v1 frame key"))
commitment = hkdf(b"keyward envelope v1 commitment")

context = canonical(CONTEXT)
header = b"KWEF" + bytes([1, 1]) + MESSAGE_ID + struct.pack(">I", FRAME_SIZE)
header += struct.pack(">I", len(context)) + context + struct.pack(">H", len(KEYS))
for arn, blob in KEYS:
    header += struct.pack(">H", len(arn)) + arn.encode() + struct.pack(">I", len(blob)) + blob
header += commitment
out = header + frame_key.encrypt(nonce(0), b"", header)
header_digest = hashlib.sha256(header).digest()

# Full frames while at least a frame's worth remains, then a shorter last one.
chunks, rest = [], PLAINTEXT
while len(rest) >= FRAME_SIZE:
    chunks.append(rest[:FRAME_SIZE])
    rest = rest[FRAME_SIZE:]
chunks.append(rest)
for sequence, chunk in enumerate(chunks, start=1):
    last = 1 if sequence == len(chunks) else 0
    head = struct.pack(">IBI", sequence, last, len(chunk))
    sealed = frame_key.encrypt(nonce(sequence), chunk, header_digest + head)
    out += head + sealed  # AESGCM appends the 16-byte tag

print(out.hex())
