"""The front-proxy's configuration: what `kplane front-proxy` is told, and the files it reads from it.

`FrontProxyOptions` is what the command line says; `FrontProxyConfig.load` reads every file once at
start (a bad file fails the start with its name): the client CA the listener trusts, the credentials the
proxy presents to shards, the admin token, token files and service-account public keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from apimachinery.auth.serviceaccounts import DEFAULT_ISSUER, public_keys_from_pem
from apimachinery.auth.tokenfile import TokenRecord, read_token_file
from apimachinery.certs import cert_from_pem, read_token
from apimachinery.pki import PkiPaths

FEEDER_USER = "system:kcp:front-proxy"  # who the index feeder and the lookups are, to the shards
FEEDER_GROUPS = ("system:masters",)


class ConfigError(ValueError):
    """A file named by the options cannot be used; the message names it."""


@dataclass(frozen=True)
class FrontProxyOptions:
    pki_dir: Path
    root_shard_url: str
    bind_address: str = "127.0.0.1"
    port: int = 6443
    token_auth_files: tuple[Path, ...] = ()
    service_account_key_files: tuple[Path, ...] = ()  # empty: the PKI's service-account.key
    service_account_issuers: tuple[str, ...] = (DEFAULT_ISSUER,)
    api_audiences: tuple[str, ...] = ()  # empty: the issuers, as upstream

    @property
    def pki(self) -> PkiPaths:
        return PkiPaths.in_directory(self.pki_dir)

    @property
    def key_files(self) -> tuple[Path, ...]:
        return self.service_account_key_files or (self.pki.service_account_key,)

    @property
    def audiences(self) -> tuple[str, ...]:
        return self.api_audiences or self.service_account_issuers


@dataclass(frozen=True)
class FrontProxyConfig:
    """Everything the proxy needs from disk, read once."""

    options: FrontProxyOptions
    client_ca: x509.Certificate
    admin_token: str
    token_records: tuple[TokenRecord, ...]
    service_account_keys: tuple[ec.EllipticCurvePublicKey, ...]
    root_shard_url: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "root_shard_url", self.options.root_shard_url.rstrip("/"))

    @classmethod
    def load(cls, options: FrontProxyOptions) -> FrontProxyConfig:
        pki = options.pki
        records: list[TokenRecord] = []
        for path in options.token_auth_files:
            records.extend(read_token_file(path))  # TokenFileError names the file and the line
        return cls(
            options=options,
            client_ca=cert_from_pem(_read(pki.ca_cert)),
            admin_token=_admin_token(pki.admin_token),
            token_records=tuple(records),
            service_account_keys=tuple(key for path in options.key_files for key in _public_keys(path)),
        )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise ConfigError(f"{path} cannot be read: {err.strerror or err}") from None


def _admin_token(path: Path) -> str:
    """The installation's admin token, so the admin kubeconfig works through the proxy; none if absent."""
    return read_token(path) if path.exists() else ""


def _public_keys(path: Path) -> list[ec.EllipticCurvePublicKey]:
    try:
        return public_keys_from_pem(_read(path))
    except ValueError as err:
        raise ConfigError(f"failed to parse key file {str(path)!r}: {err}") from None
