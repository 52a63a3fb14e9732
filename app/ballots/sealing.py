"""Sealed envelopes: a ballot encrypted to the budget's count key (X25519 sealed boxes, PyNaCl).

A sealed box needs only the public key to seal and the private key to open; the sender stays
anonymous and every box is encrypted under a fresh ephemeral key, so two identical ballots give
unrelated ciphertexts. Every payload of a budget is padded to one length, so the size of an
envelope says nothing about how many projects were chosen.

The private key leaves the server once, in the count key file for the counting commission, and
comes back only in the request that opens the envelopes."""
import base64
import binascii
import hashlib
import json
import struct

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

KEY_FILE_FORMAT = "qatysu-count-keys"
KEY_FILE_VERSION = 1


class SealError(Exception):
    """An envelope that cannot be opened with this key, or whose content is not a ballot."""


class KeyFileError(Exception):
    """A key file that is not one of ours, or holds no key for the budget."""


def new_private_key() -> PrivateKey:
    return PrivateKey.generate()


def public_hex(private: PrivateKey) -> str:
    return bytes(private.public_key).hex()


def fingerprint(public_key_hex: str) -> str:
    """What people compare: 20 characters of the public key's SHA-256, in groups of four."""
    digest = hashlib.sha256(bytes.fromhex(public_key_hex)).digest()
    code = base64.b32encode(digest).decode("ascii")[:20]
    return "-".join(code[i:i + 4] for i in range(0, 20, 4))


def envelope_size(project_ids) -> int:
    """The padded payload length for a ballot over these projects: room for every project with a
    ten-digit value, the receipt hash and the channel, rounded up to 256 bytes."""
    room = 160 + sum(len(str(pid)) + 16 for pid in project_ids)
    return (room + 255) // 256 * 256


def _payload(choices: dict, receipt_hash: str, channel: str, size: int) -> bytes:
    body = json.dumps({"v": 1, "c": choices, "r": receipt_hash, "ch": channel},
                      sort_keys=True, separators=(",", ":")).encode("utf-8")
    if len(body) + 4 > size:
        raise SealError("ballot larger than the envelope")  # cannot happen for a valid ballot
    return struct.pack(">I", len(body)) + body + bytes(size - 4 - len(body))


def seal(public_key_hex: str, choices: dict, receipt_hash: str, channel: str, size: int) -> bytes:
    box = SealedBox(PublicKey(bytes.fromhex(public_key_hex)))
    return box.encrypt(_payload(choices, receipt_hash, channel, size))


def unseal(private: PrivateKey, sealed: bytes) -> dict:
    """{"choices", "receipt_hash", "channel"} of one envelope, or :class:`SealError`."""
    try:
        plain = SealedBox(private).decrypt(bytes(sealed))
        (length,) = struct.unpack(">I", plain[:4])
        body = json.loads(plain[4:4 + length].decode("utf-8"))
        choices, receipt_hash, channel = body["c"], body["r"], body["ch"]
    except (CryptoError, ValueError, KeyError, TypeError, struct.error, UnicodeDecodeError) as error:
        raise SealError(str(error)) from None
    if not isinstance(choices, dict) or not isinstance(receipt_hash, str) or channel not in ("online", "paper"):
        raise SealError("not a ballot")
    return {"choices": choices, "receipt_hash": receipt_hash, "channel": channel}


def key_file(process: dict, keys: list[dict]) -> bytes:
    """The counting commission's file: one private key per budget, with what identifies it.
    ``keys``: [{"budget": id, "name": ..., "private": PrivateKey}]."""
    document = {
        "format": KEY_FILE_FORMAT, "version": KEY_FILE_VERSION, "process": process,
        "warning": "Keep this file offline. Without it the ballots of these budgets cannot be counted; "
                   "anyone who holds it and a copy of the database while voting is open could read ballots.",
        "keys": [{"budget": k["budget"], "name": k["name"], "fingerprint": fingerprint(public_hex(k["private"])),
                  "private_key": base64.b64encode(bytes(k["private"])).decode("ascii")} for k in keys],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def read_key_file(data: bytes) -> dict[int, PrivateKey]:
    """Budget id -> private key from a count key file, or :class:`KeyFileError`."""
    try:
        document = json.loads(data.decode("utf-8"))
        if document.get("format") != KEY_FILE_FORMAT or document.get("version") != KEY_FILE_VERSION:
            raise KeyFileError("not a Qatysu count key file")
        keys = {int(k["budget"]): PrivateKey(base64.b64decode(k["private_key"], validate=True))
                for k in document["keys"]}
    except KeyFileError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError, binascii.Error) as error:
        raise KeyFileError(str(error)) from None
    except Exception as error:  # PyNaCl's own type errors for a key of the wrong length
        raise KeyFileError(str(error)) from None
    return keys
