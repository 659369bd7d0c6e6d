"""helm: which values keys the templates take as placement, and the pins they hard-code."""

from azext_wasimig.rewrite import helm
from azext_wasimig.rewrite.run import Move
from azext_wasimig.rewrite.sources import Source

TEMPLATE = """\
spec:
  template:
    spec:
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      tolerations: {{- toYaml .Values.tolerations | nindent 8 }}
      runtimeClassName: {{ .Values.web.runtimeClassName | default "wasmtime-spin-v1" }}
"""
PINNED = """\
      nodeSelector:
        kubernetes.azure.com/agentpool: wasipool
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions:
              - key: agentpool
                operator: In
                values: [wasipool]
      runtimeClassName: "wasmtime-spin-v1"
      labels: {app: web, pool: userpool}
"""


def test_mappings_follow_with_blocks_toyaml_and_inline_values():
    found = {m.path: (m.field, m.default) for m in helm.mappings([("t.yaml", TEMPLATE)])}
    assert found == {("nodeSelector",): ("nodeSelector", None), ("tolerations",): ("tolerations", None),
                     ("web", "runtimeClassName"): ("runtimeClassName", "wasmtime-spin-v1")}


def test_pins_name_each_hard_coded_line():
    lines = [(p["line"], p["reason"].split(" is hard-coded")[0]) for p in helm.pins("t.yaml", PINNED, "wasipool")]
    assert lines == [(2, "t.yaml:2: kubernetes.azure.com/agentpool: wasipool"),
                     (10, "t.yaml:10: the pool wasipool in a node-affinity term"),
                     (11, "t.yaml:11: runtimeClassName wasmtime-spin-v1")]
    assert helm.pins("t.yaml", TEMPLATE, "wasipool")[0]["line"] == 9   # the default


def test_values_are_moved_and_rolled_back_from_their_markers():
    values = "nodeSelector:\n  agentpool: wasipool   # old\ntolerations: []\nother: 1\n"
    maps = helm.mappings([("t.yaml", TEMPLATE)])
    source = Source("values.yaml", ".", "helm-values", values)
    text, rows, reported = helm.rewrite_values(source, Move("wasipool", "wasipool2", "cutover"), maps, [])
    assert "  kubernetes.azure.com/agentpool: wasipool2" in text and "other: 1\n" in text and reported == []
    assert [r["keys"] for r in rows] == [["nodeSelector"]]
    back, _, _ = helm.rewrite_values(Source("values.yaml", ".", "helm-values", text),
                                     Move("wasipool", "wasipool2", "rollback"), maps, [])
    assert back == values


def test_a_field_the_chart_does_not_map_is_reported():
    values = "nodeSelector:\n  agentpool: wasipool\n"
    maps = [m for m in helm.mappings([("t.yaml", TEMPLATE)]) if m.field == "nodeSelector"]
    _, _, reported = helm.rewrite_values(Source("values.yaml", ".", "helm-values", values),
                                         Move("wasipool", "wasipool2", "parallel"), maps, [])
    assert "needs affinity" in reported[0]["reason"]
