"""Valid YAML of the wrong shape: a clear error naming file:line of the field (evaluate.shapes, through manifests.load)."""

import textwrap

import pytest

from azext_wasimig.evaluate import manifests, scan, shapes

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    metadata:
      labels: {{app: web}}
    spec:
      runtimeClassName: wasmtime-spin-v1
{pod_spec}
"""


def deployment(pod_spec):
    return DEPLOYMENT.format(pod_spec=textwrap.indent(textwrap.dedent(pod_spec).strip("\n"), " " * 6))


def load_error(tmp_path, text, name="app.yaml"):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(manifests.ManifestError) as caught:
        manifests.load([str(path)])
    assert caught.value.path == str(path)
    return caught.value


@pytest.mark.parametrize("pod_spec, line, words", [
    ("tolerations: NoSchedule", 12, "spec.template.spec.tolerations must be a list, not a string"),
    ("containers:\n  app: {image: x}", 12, "spec.template.spec.containers must be a list, not a mapping"),
    ("nodeSelector:\n  - agentpool\n  - wasipool", 12,
     "spec.template.spec.nodeSelector must be a mapping (key: value), not a list"),
    ("tolerations: &tolerations\n  - {key: a, operator: Exists}\nnodeSelector: *tolerations", 14,
     "spec.template.spec.nodeSelector must be a mapping (key: value), not a list"),
    ("nodeSelector: {spin: true}", 12, "spec.template.spec.nodeSelector.spin must be a string, not true/false "
                                       "(quote it)"),
    ("nodeSelector: {1: a}", 12, "nodeSelector has the key 1, which is a number: keys must be strings"),
    ("affinity:\n  nodeAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n"
     "      nodeSelectorTerms: [{matchExpressions: [~]}]", 15,
     "nodeSelectorTerms[0].matchExpressions[0] must be a mapping (key: value), not null"),
    ("affinity:\n  nodeAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n"
     "      nodeSelectorTerms:\n        - matchExpressions:\n            - {key: k, operator: In, values: [1]}", 17,
     "matchExpressions[0].values[0] must be a string, not a number"),
    ("volumes:\n  - emptyDir: {}", 13, "spec.template.spec.volumes[0].name is missing"),
    ("tolerations:\n  - NoSchedule", 13, "spec.template.spec.tolerations[0] must be a mapping (key: value), not a "
                                        "string"),
])
def test_wrong_shape_names_the_field_and_its_line(tmp_path, pod_spec, line, words):
    error = load_error(tmp_path, deployment(pod_spec))
    assert error.line == line, error
    assert words in error.message and error.message.startswith("Deployment web: ")
    assert "fix the manifest" in error.message


def test_replicas_and_metadata_are_checked_too(tmp_path):
    text = deployment("containers: [{name: app}]")
    assert "spec.replicas must be a whole number, not a string" in \
        load_error(tmp_path, text.replace("replicas: 2", "replicas: '2'")).message
    error = load_error(tmp_path, text.replace("name: web", "name: 2024-01-01"))
    assert error.line == 4 and "metadata.name must be a string, not a date (quote it)" in error.message


def test_a_list_item_of_the_wrong_shape_names_its_own_line(tmp_path):
    text = ("apiVersion: v1\nkind: List\nitems:\n"
            "  - {kind: Service, metadata: {name: s}, spec: [not, read]}\n"
            "  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n    spec:\n      tolerations: {key: a}\n")
    error = load_error(tmp_path, text)
    assert (error.line, error.message.split(":")[0]) == (9, "Pod p")


def test_json_gives_the_field_and_the_document_line(tmp_path):
    error = load_error(tmp_path, '{"kind": "Pod", "metadata": {"name": "p"},\n "spec": {"containers": {}}}', "p.json")
    assert error.line == 1 and "spec.containers must be a list, not a mapping" in error.message


def test_well_shaped_aliases_and_null_fields_are_read(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(deployment("x-shared: &tolerations\n  - {key: kubernetes.io/arch, operator: Exists}\n"
                               "tolerations: *tolerations\nnodeSelector: ~\naffinity: {}\n"
                               "containers: [{name: app, command: ['/']}]"))
    (finding,) = scan.assess(manifests.load([str(path)]), [])
    assert finding["name"] == "web" and finding["payload"] == "spin"
    assert finding["evidence"][0]["field"] == "spec.template.spec.runtimeClassName"


def test_kinds_scan_does_not_read_are_not_checked():
    assert shapes.problem({"kind": "Service", "metadata": {"name": "s"}, "spec": ["anything"]}) is None


def test_dotted_paths_bracket_label_keys():
    assert shapes.dotted(("spec", "nodeSelector", "kubernetes.io/arch")) == "spec.nodeSelector[kubernetes.io/arch]"
    assert shapes.dotted(("spec", "tolerations", 0, "key")) == "spec.tolerations[0].key"
