from __future__ import annotations
import json
from tests.conformance.support import ROOT, call, ok, query, short_id, wait_until, core
from tests.conformance.test_crd_resources import _create, CRDS
from tests.integration.harness import Kplane

SCHEMA = json.loads('''{"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object", "properties": {
 "cronSpec": {"type": "string"}, "knownField1": {"type": "string"},
 "embeddedObj": {"x-kubernetes-embedded-resource": true, "type": "object", "properties": {"apiversion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"}}},
 "ports": {"type": "array", "x-kubernetes-list-map-keys": ["containerPort","protocol"], "x-kubernetes-list-type": "map",
   "items": {"type": "object", "required": ["containerPort","protocol"], "properties": {"containerPort": {"type": "integer", "format": "int32"}, "hostIP": {"type": "string"}, "hostPort": {"type": "integer", "format": "int32"}, "name": {"type": "string"}, "protocol": {"type": "string"}}}}}}}}}''')

CRD_INVALID = '''
{
	"apiVersion": "%s",
	"kind": "%s",
	"metadata": {
		"name": "dupename",
		"name": "%s",
		"unknownMeta": "metaVal",
		"resourceVersion": "%s"
	},
	"spec": {
		"unknown1": "val1",
		"unknownDupe": "valDupe",
		"unknownDupe": "valDupe2",
		"knownField1": "val1",
		"knownField1": "val2",
			"ports": [{
				"name": "portName",
				"containerPort": 8080,
				"protocol": "TCP",
				"hostPort": 8081,
				"hostPort": 8082,
				"unknownNested": "val"
			}],
		"embeddedObj": {
			"apiVersion": "v1",
			"kind": "ConfigMap",
			"metadata": {
				"name": "my-cm",
				"namespace": "my-ns",
				"unknownEmbeddedMeta": "foo"
			}
		}
	}
}'''
CRD_INVALID_YAML = '''
apiVersion: "%s"
kind: "%s"
metadata:
  name: dupename
  name: "%s"
  resourceVersion: "%s"
  unknownMeta: metaVal
spec:
  unknown1: val1
  unknownDupe: valDupe
  unknownDupe: valDupe2
  knownField1: val1
  knownField1: val2
  ports:
  - name: portName
    containerPort: 8080
    protocol: TCP
    hostPort: 8081
    hostPort: 8082
    unknownNested: val
  embeddedObj:
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: my-cm
      namespace: my-ns
      unknownEmbeddedMeta: foo'''

def test_probe(kplane: Kplane) -> None:
    group = f"fv-{short_id()}.example.com"
    singular = f"foo{short_id()[:5]}a"
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": f"{singular}s.{group}"},
           "spec": {"group": group, "scope": "Cluster", "names": {"plural": f"{singular}s", "singular": singular, "kind": "Noxu", "listKind": "NoxuList"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": SCHEMA}]}}
    _create(kplane, crd)
    base = f"{ROOT}/apis/{group}/v1/{singular}s"
    for d in ("Strict", "Warn"):
        r = call(kplane, "POST", query(base, fieldValidation=d), CRD_INVALID % (f"{group}/v1", "Noxu", "post-" + d.lower(), ""))
        print("POST JSON", d, r.status, r.message, r.warnings)
        r = call(kplane, "POST", query(base, fieldValidation=d), CRD_INVALID_YAML % (f"{group}/v1", "Noxu", "ypost-" + d.lower(), ""), "application/yaml")
        print("POST YAML", d, r.status, r.message, r.warnings)
    obj = r.body
    print("stored", obj)
    mp = '{"metadata":{"unknownMeta":"x"},"spec":{"unknown1":"a","unknownDupe":"b","unknownDupe":"c","knownField1":"d","knownField1":"e"}}'
    for d in ("Strict", "Warn"):
        r = call(kplane, "PATCH", query(f"{base}/ypost-warn", fieldValidation=d), mp, "application/merge-patch+json")
        print("MERGE", d, r.status, r.message, r.warnings)
    # typed managedFields after update with unknown fields
    ns = "default"
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "mf-" + short_id()}, "data": {"a": "b"}, "unknownX": {"y": 1}}
    r = call(kplane, "POST", query(core(f"/namespaces/{ns}/configmaps"), fieldValidation="Ignore", fieldManager="m1"), body)
    print("typed create", r.status, json.dumps(r.body.get("metadata", {}).get("managedFields")), r.body.get("unknownX"))
    name = r.body["metadata"]["name"]
    r = call(kplane, "PATCH", query(core(f"/namespaces/{ns}/configmaps/{name}"), fieldValidation="Warn", fieldManager="m2"), '{"unknownY":1,"data":{"c":"d"}}', "application/merge-patch+json")
    print("typed patch", r.status, r.warnings, json.dumps(r.body.get("metadata", {}).get("managedFields")), r.body.get("unknownY"))
    r = call(kplane, "PATCH", query(core(f"/namespaces/{ns}/configmaps/{name}"), fieldValidation="Strict", fieldManager="m2"), '[{"op":"add","path":"/unknownZ","value":{"z":1,"a":2}}]', "application/json-patch+json")
    print("typed jsonpatch strict", r.status, r.raw[:1000])
    ap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"e": "f"}, "unknownA": 1}
    for d in ("Strict", "Warn", "Ignore"):
        r = call(kplane, "PATCH", query(core(f"/namespaces/{ns}/configmaps/{name}"), fieldValidation=d, fieldManager="applier"), json.dumps(ap), "application/apply-patch+yaml")
        print("apply unknown", d, r.status, r.raw[:400], r.warnings)
    r = call(kplane, "GET", core(f"/namespaces/{ns}/configmaps/{name}"))
    print("final", json.dumps(r.body))
