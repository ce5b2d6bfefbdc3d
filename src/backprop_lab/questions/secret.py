"""The autograder's secret, and the per-submission key the hidden cases are drawn from.

Kerckhoffs: the source is public, so nothing in it may tell a student the hidden cases.
``build`` draws a random secret (or takes the instructor's) and keeps it only in the
autograder zip (``autograder.json``). Each submission's cases come from the key
HMAC-SHA256(secret, SHA-256 of the notebook's bytes): unknowable without the secret,
different for every notebook (a classmate's lookup table does not fit), and the same
every time the same file is graded.

``DEVELOPMENT_KEY`` is public: the tests, the mutation tool and Otter's own run of the
hidden tests on the solutions draw with it. No grading of a submission uses it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

DEVELOPMENT_KEY = b"backprop-lab public development cases v1"
#: Bytes of randomness in a secret ``build`` draws.
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh secret for one build: 64 hexadecimal digits."""
    return secrets.token_hex(SECRET_BYTES)


def check_secret(secret: str) -> str:
    """``secret`` stripped, if it is long enough to be one; else ValueError."""
    secret = secret.strip()
    if len(secret) < 16:
        raise ValueError("the autograder's secret must have at least 16 characters")
    return secret


def submission_key(secret: str, digest: str) -> bytes:
    """The key of one submission's hidden cases: HMAC(secret, its SHA-256 hex digest)."""
    return hmac.new(secret.encode(), digest.encode(), hashlib.sha256).digest()
