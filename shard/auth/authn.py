"""Who is calling, as the shard sees it: the shared authenticators of apimachinery/auth/authn.py.

The union a shard builds (shard/auth/wiring.py) adds the shard's own members: service-account JWTs whose
ServiceAccount must exist in this shard's storage (shard/auth/serviceaccounts.py) and request-header
authentication by the front-proxy (shard/auth/requestheader.py). This module only re-exports, so the
shard's imports stay where they were.
"""

from __future__ import annotations

from apimachinery.auth.authn import (
    CREDENTIAL_ID_EXTRA,
    Authenticator,
    ClientCertificates,
    Credentials,
    StaticTokens,
    Union,
    bearer_token,
    token_digest,
)
from apimachinery.auth.user import AUTHENTICATED

__all__ = [
    "AUTHENTICATED",
    "CREDENTIAL_ID_EXTRA",
    "Authenticator",
    "ClientCertificates",
    "Credentials",
    "StaticTokens",
    "Union",
    "bearer_token",
    "token_digest",
]
