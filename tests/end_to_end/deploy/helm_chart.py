"""Helm and Kubernetes schema adapter for tests/end_to_end/deploy/chart.rs.

Reads one JSON request on stdin:
  {"chart": DIR, "kube_versions": ["1.28.0", ...],
   "lint": {NAME: VALUES}, "render": {NAME: {"values": V, "release": R, "namespace": N}}}
and prints one JSON answer on stdout:
  {"helm": VERSION,
   "lint": {NAME: helm lint report (strict)},
   "render": {NAME: {"error": MESSAGE} |
                    {"manifests": [{"template": PATH, "doc": OBJECT}], "notes": TEXT,
                     "invalid": [MESSAGE], "crds": ["Kind/name", ...]}}}

Helm is the helm-python-sdk package (Helm v4's Go SDK as a library): rendering
validates the values against values.schema.json, as `helm install` does.
Every rendered object of a built-in kind is validated with kubernetes-validate
in strict mode (unknown fields are errors) for each Kubernetes version asked
for. The Prometheus Operator kinds (monitoring.coreos.com) are CRDs that
kubernetes-validate has no schema for: they are listed under "crds" and
checked structurally by the Rust test. A built-in kind without a schema is an
error, never a skip. The assertions live in the Rust test.
"""

from __future__ import annotations

import json
import sys

import helm_python as helm
import kubernetes_validate
import yaml
from kubernetes_validate.utils import SchemaNotFoundError, ValidationError

CRD_GROUP = "monitoring.coreos.com/"


def validate(doc: dict, kube_versions: list[str]) -> tuple[list[str], bool]:
    """Strict schema errors of one object, and whether it is a CRD kind."""
    what = f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
    if str(doc.get("apiVersion", "")).startswith(CRD_GROUP):
        return [], True
    errors = []
    for version in kube_versions:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except ValidationError as e:
            path = ".".join(str(p) for p in e.path)
            errors.append(f"{what} against Kubernetes {version}: {path}: {e.message}")
        except SchemaNotFoundError as e:
            errors.append(f"{what}: no schema for a built-in kind in Kubernetes {version}: {e.message}")
    return errors, False


def render(chart: helm.Chart, request: dict, kube_versions: list[str]) -> dict:
    try:
        rendered = chart.render(
            request.get("values", {}),
            name=request.get("release", "exporter"),
            namespace=request.get("namespace", "monitoring"),
            is_install=True,
        )
    except helm.HelmError as e:
        return {"error": f"{type(e).__name__}: {e}"}
    answer: dict = {"manifests": [], "notes": "", "invalid": [], "crds": []}
    for template, text in sorted(rendered.items()):
        if template.endswith("NOTES.txt"):
            answer["notes"] = text
            continue
        for doc in yaml.safe_load_all(text):
            if not doc:
                continue
            answer["manifests"].append({"template": template, "doc": doc})
            errors, crd = validate(doc, kube_versions)
            answer["invalid"].extend(errors)
            if crd:
                answer["crds"].append(f"{doc['kind']}/{doc['metadata']['name']}")
    return answer


def main() -> int:
    request = json.load(sys.stdin)
    kube_versions = request.get("kube_versions") or [kubernetes_validate.utils.latest_version()]
    answer: dict = {"helm": helm.helm_sdk_version(), "lint": {}, "render": {}}
    for name, values in request.get("lint", {}).items():
        answer["lint"][name] = helm.lint(request["chart"], values, strict=True)
    with helm.Chart.load(request["chart"]) as chart:
        for name, render_request in request.get("render", {}).items():
            answer["render"][name] = render(chart, render_request, kube_versions)
    json.dump(answer, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
