"""The token file `kplane start` uses when none is given, and the kubeconfig of its non-admin user.

On first start `<root-dir>/tokens.csv` gets one user for trying multi-tenancy: `tenant` (uid random, group
`tenants`) with a random token; `<root-dir>/tenant.kubeconfig` is written next to the admin kubeconfig on
every start, from the file as it is then (so a token changed by hand is what the kubeconfig holds). Add
users as further lines of kube's token CSV, `token,user,uid,"group1,group2"`, and restart.
"""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path

from apimachinery.kubeconfig import write_admin_kubeconfig
from shard.auth.tokenfile import find_user, read_token_file, write_token_file

TOKEN_FILE_NAME = "tokens.csv"
TENANT_KUBECONFIG_NAME = "tenant.kubeconfig"
TENANT_USER = "tenant"
TENANT_GROUPS = ("tenants",)


def ensure_token_file(root_dir: Path) -> Path:
    """`<root_dir>/tokens.csv`, created with the `tenant` user if it does not exist; an existing file is
    kept as it is."""
    path = root_dir / TOKEN_FILE_NAME
    if not path.exists():
        token = secrets.token_urlsafe(32)
        write_token_file(path, [(token, TENANT_USER, str(uuid.uuid4()), TENANT_GROUPS)])
    return path


def write_tenant_kubeconfig(root_dir: Path, token_file: Path, *, server_url: str, ca_pem: bytes) -> Path | None:
    """`<root_dir>/tenant.kubeconfig` for the `tenant` user of `token_file`; None (and no file written) if
    that user is no longer in it."""
    record = find_user(read_token_file(token_file), TENANT_USER)
    if record is None:
        return None
    path = root_dir / TENANT_KUBECONFIG_NAME
    write_admin_kubeconfig(
        path,
        server_url=server_url,
        ca_pem=ca_pem,
        context_name="root",
        token=record.token,
        client_cert_pem=None,
        client_key_pem=None,
        user_name=TENANT_USER,
    )
    return path
