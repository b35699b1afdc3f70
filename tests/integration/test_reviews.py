"""The review APIs on a real shard, driven by kubectl and raw HTTPS: `kubectl auth can-i`, `auth can-i --list`,
`auth whoami`, and SubjectAccessReview/LocalSubjectAccessReview/SelfSubjectAccessReview bodies and errors.

`jane` authenticates with a client certificate from the cluster's CA and is not in system:masters. Her own
reviews (SelfSubjectAccessReview, SelfSubjectReview, `kubectl auth can-i` as jane) need the bootstrap policy
to grant `system:basic-user` to `system:authenticated`, as upstream's does; `can-i --list` for the admin
needs the rules resolver to report system:masters' cluster-admin rules.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from apimachinery.kubeconfig import write_admin_kubeconfig
from apimachinery.pki import cert_to_pem, issue_client_cert, key_to_pem, load_cert_key, ssl_client_context
from tests.integration.harness import Kplane, Kubectl, request_json

AUTHZ = "/clusters/root/apis/authorization.k8s.io/v1"
AUTHN = "/clusters/root/apis/authentication.k8s.io/v1"
CONFIGMAPS = {"verb": "list", "resource": "configmaps", "namespace": "default"}


@dataclass(frozen=True)
class Jane:
    """A user with a client certificate (CN jane, O devs) and no rights but what policy grants."""

    kplane: Kplane
    cert: Path
    key: Path

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        context = ssl_client_context(self.kplane.ca_file, self.cert, self.key)
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.kplane.base_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, context=context, timeout=30) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")


@pytest.fixture(scope="module")
def jane(kplane: Kplane, tmp_path_factory: pytest.TempPathFactory) -> Jane:
    ca = load_cert_key(kplane.root_dir / "pki" / "ca.crt", kplane.root_dir / "pki" / "ca.key")
    pair = issue_client_cert(ca, user="jane", groups=["devs"])
    directory = tmp_path_factory.mktemp("jane")
    cert, key = directory / "jane.crt", directory / "jane.key"
    cert.write_bytes(cert_to_pem(pair.cert))
    key.write_bytes(key_to_pem(pair.key))
    return Jane(kplane, cert, key)


def test_can_i_as_the_admin(kubectl: Kubectl) -> None:
    result = kubectl.run("auth", "can-i", "create", "configmaps")
    assert (result.returncode, result.stdout.strip()) == (0, "yes")
    assert kubectl.ok("auth", "can-i", "list", "namespaces").strip() == "yes"
    assert kubectl.ok("auth", "can-i", "get", "/healthz").strip() == "yes"


def test_whoami_as_the_admin(kubectl: Kubectl) -> None:
    table = kubectl.ok("auth", "whoami")
    assert "kplane-admin" in table and "system:masters" in table
    review = json.loads(kubectl.ok("auth", "whoami", "-o", "json"))
    assert (review["kind"], review["apiVersion"]) == ("SelfSubjectReview", "authentication.k8s.io/v1")
    assert review["status"]["userInfo"]["username"] == "kplane-admin"
    assert "system:masters" in review["status"]["userInfo"]["groups"]


def test_api_resources_lists_the_reviews(kubectl: Kubectl) -> None:
    rows = {line.split()[0]: line.split()[1:] for line in kubectl.ok("api-resources").splitlines()[1:]}
    assert rows["selfsubjectaccessreviews"] == ["authorization.k8s.io/v1", "false", "SelfSubjectAccessReview"]
    assert rows["localsubjectaccessreviews"] == ["authorization.k8s.io/v1", "true", "LocalSubjectAccessReview"]
    assert rows["subjectaccessreviews"] == ["authorization.k8s.io/v1", "false", "SubjectAccessReview"]
    assert rows["selfsubjectrulesreviews"] == ["authorization.k8s.io/v1", "false", "SelfSubjectRulesReview"]
    assert rows["selfsubjectreviews"] == ["authentication.k8s.io/v1", "false", "SelfSubjectReview"]


def test_reviews_cannot_be_listed(kubectl: Kubectl) -> None:
    result = kubectl.run("get", "selfsubjectaccessreviews")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error from server (MethodNotAllowed): the server does not allow this method on the requested resource"
    )


@pytest.mark.parametrize(
    ("user", "groups", "allowed"),
    [("jane", ["devs"], False), ("someone", ["system:masters"], True)],
)
def test_subject_access_review(kplane: Kplane, user: str, groups: list[str], allowed: bool) -> None:
    spec = {"resourceAttributes": CONFIGMAPS, "user": user, "groups": groups}
    status, review = request_json(kplane, "POST", f"{AUTHZ}/subjectaccessreviews", {"spec": spec})
    assert status == 201
    assert review["kind"] == "SubjectAccessReview"
    assert review["spec"] == spec
    assert review["status"]["allowed"] is allowed


def test_local_subject_access_review(kplane: Kplane) -> None:
    spec = {"resourceAttributes": CONFIGMAPS, "user": "jane", "groups": ["devs"]}
    path = f"{AUTHZ}/namespaces/default/localsubjectaccessreviews"
    status, review = request_json(kplane, "POST", path, {"spec": spec})
    assert status == 201
    assert review["metadata"]["namespace"] == "default"
    assert review["status"]["allowed"] is False


@pytest.mark.parametrize(
    ("metadata", "code", "message"),
    [
        # the body's own namespace is defaulted from the path, then must match the attributes'
        (
            {},
            422,
            '.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "default": '
            "must match metadata.namespace",
        ),
        (
            {"namespace": "default"},
            400,
            "the namespace of the provided object does not match the namespace sent on the request",
        ),
    ],
)
def test_local_subject_access_review_in_another_namespace(
    kplane: Kplane, metadata: dict[str, Any], code: int, message: str
) -> None:
    body = {"metadata": metadata, "spec": {"resourceAttributes": CONFIGMAPS, "user": "jane"}}
    status, answer = request_json(kplane, "POST", f"{AUTHZ}/namespaces/kube-system/localsubjectaccessreviews", body)
    assert (status, answer["message"]) == (code, message)


@pytest.mark.parametrize(
    ("kind", "spec", "message"),
    [
        (
            "selfsubjectaccessreviews",
            {},
            '.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: null: exactly one of '
            "nonResourceAttributes or resourceAttributes must be specified",
        ),
        (
            "subjectaccessreviews",
            {"resourceAttributes": CONFIGMAPS},
            '.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must '
            "be specified",
        ),
    ],
)
def test_invalid_reviews(kplane: Kplane, kind: str, spec: dict[str, Any], message: str) -> None:
    status, answer = request_json(kplane, "POST", f"{AUTHZ}/{kind}", {"spec": spec})
    assert (status, answer["reason"], answer["message"]) == (422, "Invalid", message)


def test_rules_review_of_the_admin(kplane: Kplane, kubectl: Kubectl) -> None:
    """Needs the rules resolver to report system:masters' cluster-admin rules (lead's wiring)."""
    body = {"spec": {"namespace": "default"}}
    status, review = request_json(kplane, "POST", f"{AUTHZ}/selfsubjectrulesreviews", body)
    assert status == 201
    assert {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]} in review["status"]["resourceRules"]
    assert {"verbs": ["*"], "nonResourceURLs": ["*"]} in review["status"]["nonResourceRules"]
    listed = kubectl.ok("auth", "can-i", "--list")
    assert "*.*" in listed and "[*]" in listed


def test_self_subject_access_review_of_jane(jane: Jane) -> None:
    """Needs system:basic-user for system:authenticated in the bootstrap policy (lead's wiring)."""
    status, review = jane.request(
        "POST", f"{AUTHZ}/selfsubjectaccessreviews", {"spec": {"resourceAttributes": CONFIGMAPS}}
    )
    assert status == 201
    assert review["status"]["allowed"] is False


def test_whoami_and_can_i_as_jane(jane: Jane, kubectl: Kubectl, tmp_path: Path) -> None:
    """Needs system:basic-user for system:authenticated in the bootstrap policy (lead's wiring)."""
    status, review = jane.request("POST", f"{AUTHN}/selfsubjectreviews", {})
    assert status == 201
    assert review["status"]["userInfo"]["username"] == "jane"
    assert set(review["status"]["userInfo"]["groups"]) == {"devs", "system:authenticated"}
    kubeconfig = tmp_path / "jane.kubeconfig"
    write_admin_kubeconfig(
        kubeconfig,
        server_url=f"{jane.kplane.base_url}/clusters/root",
        ca_pem=jane.kplane.ca_file.read_bytes(),
        context_name="root",
        token=None,
        client_cert_pem=jane.cert.read_bytes(),
        client_key_pem=jane.key.read_bytes(),
    )
    as_jane = Kubectl(kubectl.binary, kubeconfig)
    result = as_jane.run("auth", "can-i", "get", "configmaps")
    assert result.returncode == 1
    assert result.stdout.startswith("no")  # "no - <reason>" when the authorizer gives one
