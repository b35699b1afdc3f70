"""apimachinery.kubeconfig: the document, the file (mode, atomicity), and real kubectl reading it."""

from __future__ import annotations

import asyncio
import shutil
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from apimachinery import kubeconfig, pki

KUBECTL = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")


@pytest.fixture
def pki_paths(tmp_path: Path) -> pki.PkiPaths:
    return pki.ensure_pki(tmp_path / "pki", serving_hosts=[])


def _write(
    path: Path,
    paths: pki.PkiPaths,
    *,
    server_url: str = "https://127.0.0.1:1/clusters/root",
    token: str | None = "tok",
    with_cert: bool = True,
) -> None:
    kubeconfig.write_admin_kubeconfig(
        path,
        server_url=server_url,
        ca_pem=paths.ca_cert.read_bytes(),
        context_name="root",
        token=token,
        client_cert_pem=paths.admin_cert.read_bytes() if with_cert else None,
        client_key_pem=paths.admin_key.read_bytes() if with_cert else None,
    )


def test_admin_kubeconfig_round_trip(tmp_path: Path, pki_paths: pki.PkiPaths) -> None:
    path = tmp_path / "admin.kubeconfig"
    _write(path, pki_paths)
    config = kubeconfig.load_kubeconfig(path)
    assert (config["apiVersion"], config["kind"], config["current-context"]) == ("v1", "Config", "root")
    [cluster], [user], [context] = config["clusters"], config["users"], config["contexts"]
    assert cluster["name"] == "root" and cluster["cluster"]["server"] == "https://127.0.0.1:1/clusters/root"
    ca_data = cluster["cluster"]["certificate-authority-data"]
    assert kubeconfig.decode_data(ca_data) == pki_paths.ca_cert.read_bytes()
    cert_data, key_data = user["user"]["client-certificate-data"], user["user"]["client-key-data"]
    assert kubeconfig.decode_data(cert_data) == pki_paths.admin_cert.read_bytes()
    assert kubeconfig.decode_data(key_data) == pki_paths.admin_key.read_bytes()
    assert user["user"]["token"] == "tok"
    assert context == {"name": "root", "context": {"cluster": "root", "user": user["name"]}}


def test_token_only_user_has_no_cert_fields(tmp_path: Path, pki_paths: pki.PkiPaths) -> None:
    path = tmp_path / "k"
    _write(path, pki_paths, with_cert=False)
    [user] = kubeconfig.load_kubeconfig(path)["users"]
    assert user["user"] == {"token": "tok"}


def test_file_is_private_and_replaced_atomically(tmp_path: Path, pki_paths: pki.PkiPaths) -> None:
    path = tmp_path / "k"
    path.write_text("old")
    path.chmod(0o644)
    _write(path, pki_paths)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name != "pki"] == ["k"]


@pytest.mark.parametrize(
    ("user", "match"),
    [
        ({"token": None, "client_cert_pem": None, "client_key_pem": None}, "needs a token"),
        ({"token": None, "client_cert_pem": b"c", "client_key_pem": None}, "needs its key"),
        ({"token": "t", "client_cert_pem": None, "client_key_pem": b"k"}, "needs its key"),
    ],
)
def test_user_needs_usable_credentials(user: dict[str, object], match: str) -> None:
    with pytest.raises(kubeconfig.KubeconfigError, match=match):
        kubeconfig.UserEntry(name="u", **user)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("context", "current", "match"),
    [
        (kubeconfig.ContextEntry("x", cluster="nope", user="u"), "x", "unknown cluster 'nope'"),
        (kubeconfig.ContextEntry("x", cluster="c", user="nope"), "x", "unknown user 'nope'"),
        (kubeconfig.ContextEntry("x", cluster="c", user="u"), "y", "current-context 'y'"),
    ],
)
def test_dangling_references_are_refused(context: kubeconfig.ContextEntry, current: str, match: str) -> None:
    with pytest.raises(kubeconfig.KubeconfigError, match=match):
        kubeconfig.build_kubeconfig(
            clusters=[kubeconfig.ClusterEntry("c", server_url="https://h", ca_pem=b"ca")],
            users=[kubeconfig.UserEntry("u", token="t")],
            contexts=[context],
            current_context=current,
        )


def test_load_refuses_other_documents(tmp_path: Path) -> None:
    path = tmp_path / "not"
    path.write_text("apiVersion: v1\nkind: ConfigMap\n")
    with pytest.raises(kubeconfig.KubeconfigError, match="not a kubeconfig"):
        kubeconfig.load_kubeconfig(path)


def _kubectl(*args: str) -> str:
    assert KUBECTL is not None
    result = subprocess.run([KUBECTL, *args], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


@needs_kubectl
def test_kubectl_reads_the_kubeconfig(tmp_path: Path, pki_paths: pki.PkiPaths) -> None:
    path = tmp_path / "k"
    _write(path, pki_paths)
    view = ["config", "view", "--kubeconfig", str(path), "--raw", "-o"]
    assert _kubectl(*view, "jsonpath={.current-context}") == "root"
    assert _kubectl(*view, "jsonpath={.clusters[0].cluster.server}") == "https://127.0.0.1:1/clusters/root"
    cert_data = _kubectl(*view, "jsonpath={.users[0].user.client-certificate-data}")
    assert kubeconfig.decode_data(cert_data) == pki_paths.admin_cert.read_bytes()


# --- kubectl talking TLS to ssl_server_context with the kubeconfig's credentials -----------------


Request = tuple[str, str | None, str | None]  # request line, client cert subject, Authorization header


@pytest.fixture
async def http_server(pki_paths: pki.PkiPaths) -> AsyncIterator[tuple[int, list[Request]]]:
    seen: list[Request] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
        peercert = writer.get_extra_info("ssl_object").getpeercert() or {}
        subject = ",".join(f"{k}={v}" for rdn in peercert.get("subject", ()) for k, v in rdn) or None
        seen.append((head[0], subject, headers.get("Authorization")))
        body = b'{"major":"1","minor":"37","gitVersion":"v1.37.1"}'
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        await writer.drain()
        writer.close()

    context = pki.ssl_server_context(pki_paths, client_ca=pki_paths.ca_cert)
    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    async with server:
        yield server.sockets[0].getsockname()[1], seen


async def _kubectl_get_version(path: Path) -> str:
    assert KUBECTL is not None
    args = [KUBECTL, "--kubeconfig", str(path), "get", "--raw", "/version"]
    proc = await asyncio.create_subprocess_exec(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, stderr.decode()
    return stdout.decode()


@needs_kubectl
@pytest.mark.parametrize(
    ("with_cert", "token", "subject", "authorization"),
    [
        (True, None, "organizationName=system:masters,commonName=kplane-admin", None),
        (False, "secret-token", None, "Bearer secret-token"),
    ],
)
async def test_kubectl_authenticates_over_tls(
    tmp_path: Path,
    pki_paths: pki.PkiPaths,
    http_server: tuple[int, list[Request]],
    with_cert: bool,
    token: str | None,
    subject: str | None,
    authorization: str | None,
) -> None:
    port, seen = http_server
    path = tmp_path / "k"
    _write(path, pki_paths, server_url=f"https://127.0.0.1:{port}", token=token, with_cert=with_cert)
    assert '"gitVersion":"v1.37.1"' in await _kubectl_get_version(path)
    assert seen[-1] == ("GET /version HTTP/1.1", subject, authorization)
