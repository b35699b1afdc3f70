"""A shard's authentication, built once from its options: the authenticator union, the token issuer, and
the CAs its TLS listener trusts for client certificates.

Union order (first match wins): static tokens (the admin token, `extra_tokens`, the token file),
service-account JWTs, client certificates of the client CA, request headers from the front-proxy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from apimachinery.certs import cert_from_pem, key_from_pem, read_token
from shard.auth.authn import ClientCertificates, StaticTokens, Union
from shard.auth.requestheader import RequestHeaders
from shard.auth.serviceaccounts import ServiceAccountLookup, ServiceAccountTokens, StoredServiceAccounts, TokenIssuer
from shard.auth.tokenfile import load_token_file
from shard.config import ShardOptions
from shard.registry.context import UserInfo
from shard.storage.interface import Storage


@dataclass(frozen=True)
class Authentication:
    authenticator: Union
    token_issuer: TokenIssuer
    client_cas: tuple[Path, ...]  # for ssl_server_context(client_ca=...): the client CA and the front-proxy CA


def build_authentication(
    options: ShardOptions,
    *,
    admin: UserInfo,
    storage: Storage | None = None,
    service_account_uid: ServiceAccountLookup | None = None,
) -> Authentication:
    """Reads the token file, the signing key and both CA certificates; a bad file fails the start.
    ServiceAccounts are looked up by `service_account_uid`, or else in `storage`."""
    lookup = service_account_uid or (StoredServiceAccounts(storage) if storage is not None else None)
    if lookup is None:
        raise ValueError("service-account tokens need a ServiceAccount lookup or the storage to read them from")
    pki = options.pki
    signing_key = key_from_pem(options.signing_key_file.read_bytes())
    issuer = TokenIssuer(signing_key, options.service_account_issuer, options.audiences)
    service_accounts = ServiceAccountTokens(
        [signing_key.public_key()], lookup, issuers=(options.service_account_issuer,), audiences=options.audiences
    )
    client_ca = cert_from_pem(pki.ca_cert.read_bytes())
    front_proxy_ca = cert_from_pem(pki.front_proxy_client_ca_cert.read_bytes())
    authenticator = Union(
        [
            static_tokens(options, admin=admin),
            service_accounts,
            ClientCertificates(client_ca.subject),
            RequestHeaders(front_proxy_ca.subject, options.requestheader_allowed_names),
        ]
    )
    return Authentication(authenticator, issuer, (pki.ca_cert, pki.front_proxy_client_ca_cert))


def static_tokens(options: ShardOptions, *, admin: UserInfo) -> StaticTokens:
    """The admin token, the `extra_tokens` of the options, and the token file's users (the admin token
    wins over a file line that repeats it)."""
    extra = [(token, UserInfo(name, groups)) for token, (name, groups) in options.extra_tokens.items()]
    tokens = StaticTokens.of(extra)
    if options.token_auth_file is not None:
        tokens = tokens.merged(load_token_file(options.token_auth_file))
    return tokens.merged(StaticTokens.of([(read_token(options.pki.admin_token), admin)]))
