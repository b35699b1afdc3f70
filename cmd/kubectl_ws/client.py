"""The few kcp API calls the plugin makes, over `urllib` with the kubeconfig's credentials.

`Transport` turns a `RestConfig` into an opener (CA / insecure, client certificate, bearer token or
basic auth, impersonation headers, an optional TLS server name, proxies from the environment but
never for loopback) and maps failures the way client-go does (apierrors.py); 429 and 5xx answers
carrying `Retry-After` are retried up to ten times. `KcpClient` addresses a
logical cluster by path (`<base>/clusters/<path>/...`) like kcp's cluster-aware clientset.
"""

from __future__ import annotations

import base64
import functools
import http.client
import ipaddress
import json
import os
import platform
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from kubectl_ws.apierrors import ApiError, Resource, TransportError, error_from_response
from kubectl_ws.paths import LogicalPath
from kubectl_ws.restconfig import ExecConfig, RestConfig

__all__ = ["ApiError", "KcpClient", "Resource", "Transport", "TransportError", "error_from_response", "user_agent"]

TENANCY = "/apis/tenancy.kcp.io/v1alpha1"
NO_RESOURCE = Resource()  # a request about no particular object (error texts name none)
MAX_RETRIES = 10

def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _NamedTLSConnection(http.client.HTTPSConnection):
    """An HTTPS connection that verifies and sends SNI for `server_name` instead of the URL's host."""

    def __init__(self, host: str, *, server_name: str, tls: ssl.SSLContext, **kwargs: Any) -> None:
        super().__init__(host, context=tls, **kwargs)
        self._server_name = server_name
        self._tls = tls

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)
        self.sock = self._tls.wrap_socket(self.sock, server_hostname=self._server_name)


class _NamedTLSHandler(urllib.request.HTTPSHandler):
    def __init__(self, tls: ssl.SSLContext, server_name: str) -> None:
        super().__init__(context=tls)
        self._tls = tls
        self._server_name = server_name

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        factory = functools.partial(_NamedTLSConnection, server_name=self._server_name, tls=self._tls)
        return self.do_open(factory, req)


def _ssl_context(rest: RestConfig, cert_pem: bytes, key_pem: bytes) -> ssl.SSLContext:
    if rest.insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif rest.ca_data or rest.ca_file:
        context = ssl.create_default_context(
            cafile=rest.ca_file or None, cadata=rest.ca_data.decode("ascii") if rest.ca_data else None
        )
    else:
        context = ssl.create_default_context()
    if cert_pem and key_pem:
        # ssl loads a certificate chain only from files: a private directory, removed right away.
        directory = tempfile.mkdtemp(prefix="kubectl-ws-")
        try:
            cert_path, key_path = os.path.join(directory, "tls.crt"), os.path.join(directory, "tls.key")
            for path, data in ((cert_path, cert_pem), (key_path, key_pem)):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
            context.load_cert_chain(cert_path, key_path)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    return context


@dataclass(frozen=True)
class _Credentials:
    token: str = ""
    cert_pem: bytes = b""
    key_pem: bytes = b""


def _run_exec_plugin(exec_config: ExecConfig) -> _Credentials:
    """A client-go credential plugin: run it, read the `ExecCredential` it prints."""
    info = {"apiVersion": exec_config.api_version, "kind": "ExecCredential", "spec": {"interactive": False}}
    env = dict(os.environ, KUBERNETES_EXEC_INFO=json.dumps(info))
    env.update(dict(exec_config.env))
    try:
        result = subprocess.run([exec_config.command, *exec_config.args], env=env, capture_output=True,
                                check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise TransportError(f"getting credentials: exec: {error}") from None
    if result.returncode != 0:
        raise TransportError(f"getting credentials: exec: executable {exec_config.command} failed with exit code "
                             f"{result.returncode}")
    try:
        status = json.loads(result.stdout).get("status") or {}
    except (ValueError, AttributeError):
        raise TransportError("getting credentials: decoding stdout: invalid ExecCredential") from None
    return _Credentials(str(status.get("token") or ""), str(status.get("clientCertificateData") or "").encode(),
                        str(status.get("clientKeyData") or "").encode())


def _impersonation_headers(rest: RestConfig) -> dict[str, str]:
    """`as`, `as-uid`, `as-groups`, `as-user-extra` as headers; urllib sends one value per header name."""
    headers: dict[str, str] = {}
    if rest.impersonate_user:
        headers["Impersonate-User"] = rest.impersonate_user
    if rest.impersonate_uid:
        headers["Impersonate-Uid"] = rest.impersonate_uid
    repeated = [("Impersonate-Group", group) for group in rest.impersonate_groups]
    repeated += [(f"Impersonate-Extra-{quote(key, safe='')}", value) for key, values in rest.impersonate_extra
                 for value in values]
    for name, value in repeated:
        if name in headers:
            raise TransportError(f"impersonating with more than one value of {name} is not supported")
        headers[name] = value
    return headers


def user_agent(program: str) -> str:
    machine = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    return f"{program}/v0.1.0 ({sys.platform}/{machine}) kplane"


class Transport:
    """Sends JSON requests with the kubeconfig's TLS settings and credentials."""

    def __init__(self, rest: RestConfig, *, program: str = "kubectl-ws",
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._rest = rest
        self._program = program
        self._sleep = sleep
        self._prepared: tuple[urllib.request.OpenerDirector, dict[str, str]] | None = None

    def _prepare(self) -> tuple[urllib.request.OpenerDirector, dict[str, str]]:
        """Credentials and TLS, set up on the first request only (an exec plugin runs only when needed)."""
        if self._prepared is not None:
            return self._prepared
        rest = self._rest
        credentials = _Credentials(rest.token, self._read(rest.cert_file, rest.cert_data),
                                   self._read(rest.key_file, rest.key_data))
        if rest.exec_config is not None and not credentials.token and not credentials.cert_pem:
            credentials = _run_exec_plugin(rest.exec_config)
        headers = {"Accept": "application/json", "User-Agent": user_agent(self._program)}
        if credentials.token:
            headers["Authorization"] = f"Bearer {credentials.token}"
        elif rest.username or rest.password:
            basic = f"{rest.username}:{rest.password}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(basic).decode("ascii")
        headers.update(_impersonation_headers(rest))
        handlers: list[urllib.request.BaseHandler] = []
        host = urlsplit(rest.host).hostname or ""
        if rest.proxy_url:
            handlers.append(urllib.request.ProxyHandler({"http": rest.proxy_url, "https": rest.proxy_url}))
        elif _is_loopback(host):
            handlers.append(urllib.request.ProxyHandler({}))
        if rest.host.startswith("https://"):
            try:
                tls = _ssl_context(rest, credentials.cert_pem, credentials.key_pem)
            except (ssl.SSLError, OSError) as error:
                raise TransportError(f"unable to load TLS configuration: {error}") from None
            handlers.append(_NamedTLSHandler(tls, rest.server_name) if rest.server_name
                            else urllib.request.HTTPSHandler(context=tls))
        self._prepared = (urllib.request.build_opener(*handlers), headers)
        return self._prepared

    @staticmethod
    def _read(path: str, data: bytes) -> bytes:
        if data or not path:
            return data
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except OSError as error:
            raise TransportError(f"open {path}: {error.strerror}") from None

    def request(self, method: str, url: str, *, body: Mapping[str, Any] | None = None,
                resource: Resource = NO_RESOURCE) -> Any:
        """The decoded JSON answer; an error answer raises `ApiError`, no answer `TransportError`."""
        opener, headers = self._prepare()
        data = json.dumps(body, separators=(",", ":")).encode() if body is not None else None
        for attempt in range(MAX_RETRIES + 1):
            request = urllib.request.Request(url, data=data, method=method, headers=dict(headers))
            if data is not None:
                request.add_header("Content-Type", "application/json")
            try:
                with opener.open(request) as response:
                    payload = response.read()
                    return json.loads(payload) if payload else None
            except urllib.error.HTTPError as error:
                payload = error.read()
                retry_after = error.headers.get("Retry-After", "")
                if (error.code == 429 or error.code >= 500) and retry_after.isdigit() and attempt < MAX_RETRIES:
                    self._sleep(int(retry_after))
                    continue
                raise error_from_response(error.code, method, resource, payload,
                                          error.headers.get("Content-Type", "")) from None
            except urllib.error.URLError as error:
                reason = error.reason
                text = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
                raise TransportError(f'{method.capitalize()} "{url}": {text}') from None
            except (OSError, http.client.HTTPException) as error:
                raise TransportError(f'{method.capitalize()} "{url}": {error}') from None
        raise AssertionError("unreachable")


class KcpClient:
    """kcp's cluster-aware client: every call names the logical cluster it addresses."""

    def __init__(self, transport: Transport, base_url: str) -> None:
        self._transport = transport
        self._base = base_url.rstrip("/")

    def _url(self, path: LogicalPath, suffix: str) -> str:
        return self._base + quote(path.request_path() + suffix, safe="/:@~!$&'()*+,;=")

    def get_workspace(self, path: LogicalPath, name: str) -> dict[str, Any]:
        resource = Resource("workspaces.tenancy.kcp.io", name)
        result = self._transport.request("GET", self._url(path, f"{TENANCY}/workspaces/{name}"), resource=resource)
        return result if isinstance(result, dict) else {}

    def list_workspaces(self, path: LogicalPath) -> list[dict[str, Any]]:
        resource = Resource("workspaces.tenancy.kcp.io")
        result = self._transport.request("GET", self._url(path, f"{TENANCY}/workspaces"), resource=resource)
        items = result.get("items") if isinstance(result, dict) else None
        return [item for item in items or [] if isinstance(item, dict)]

    def create_workspace(self, path: LogicalPath, workspace: Mapping[str, Any]) -> dict[str, Any]:
        resource = Resource("workspaces.tenancy.kcp.io")
        result = self._transport.request("POST", self._url(path, f"{TENANCY}/workspaces"), body=workspace,
                                         resource=resource)
        return result if isinstance(result, dict) else {}

    def server_groups(self, path: LogicalPath) -> list[str]:
        """Discovery's group names at `path`: the core group (if `/api` has versions), then `/apis`."""
        groups: list[str] = []
        for suffix in ("/api", "/apis"):
            try:
                result = self._transport.request("GET", self._url(path, suffix))
            except ApiError as error:
                if error.is_not_found:
                    continue
                raise
            if not isinstance(result, dict):
                continue
            if suffix == "/api":
                if result.get("versions"):
                    groups.append("")
            else:
                groups += [str(group.get("name", "")) for group in result.get("groups") or []
                           if isinstance(group, dict)]
        return groups

    def list_api_bindings(self, path: LogicalPath) -> list[dict[str, Any]]:
        resource = Resource("apibindings.apis.kcp.io")
        result = self._transport.request("GET", self._url(path, "/apis/apis.kcp.io/v1alpha2/apibindings"),
                                         resource=resource)
        items = result.get("items") if isinstance(result, dict) else None
        return [item for item in items or [] if isinstance(item, dict)]

    def get_logical_cluster(self, path: LogicalPath) -> dict[str, Any]:
        resource = Resource("logicalclusters.core.kcp.io", "cluster")
        result = self._transport.request("GET", self._url(path, "/apis/core.kcp.io/v1alpha1/logicalclusters/cluster"),
                                         resource=resource)
        return result if isinstance(result, dict) else {}
