"""Helm charts: the placement a chart takes from its values is rewritten in ``values.yaml``; what its templates
hard-code is reported with ``file:line`` and never touched (a template is not YAML until rendered).

The chart's templates say which values keys are placement: a line ``nodeSelector:``, ``tolerations:``,
``affinity:`` or ``runtimeClassName:`` that takes ``.Values.PATH`` (on the line itself, on the two lines after it
as ``toYaml .Values.PATH``, or from the ``with``/``if`` block just before it) maps PATH to that field, with the
template's ``default "..."`` when it has one. Keys mapped under one prefix (``nodeSelector`` and
``tolerations``, or ``worker.nodeSelector`` and ``worker.tolerations``) form one pod's placement, moved as
retarget moves a workload's (``retarget.rewrite``), then written back to those keys: a field the move removes
becomes empty (``{}``, ``[]``), as charts' ``with`` blocks expect; a field it needs that the chart does not map is
reported.

Values have no object metadata to save the original placement in, so a rewritten values file always carries the
``# wasimig:was`` markers (``restore``), from which --phase rollback restores its bytes and every run starts.
"""

import json
import os
import re
from dataclasses import dataclass, replace

from azext_wasimig import files
from azext_wasimig.retarget import rewrite
from azext_wasimig.rewrite import documents, restore, yamledit
from azext_wasimig.rewrite.errors import RewriteFileError
from azext_wasimig.vocabulary.kubernetes import POOL_LABELS
from azext_wasimig.vocabulary.wasi import is_wagi_annotation, is_wasi_label, is_wasi_runtime_class

FIELDS = ("nodeSelector", "tolerations", "affinity", "runtimeClassName")
EMPTY = {"nodeSelector": {}, "tolerations": [], "affinity": {}, "runtimeClassName": ""}
_FIELD_LINE = re.compile(r"^\s*(?:-\s+)?(" + "|".join(FIELDS) + r")\s*:(.*)$")
_VALUES = re.compile(r"\.Values\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)")
_DEFAULT = re.compile(r"default\s+\"([^\"]*)\"")
_ACTION = re.compile(r"\{\{.*?\}\}")
_LIST_ITEM = re.compile(r"^\s*-\s+[\"']?([\w-]+)[\"']?\s*$")
_FLOW_VALUES = re.compile(r"values:\s*\[\s*[\"']?([\w-]+)")
_PAIR = re.compile(r"^\s*(?:-\s+)?[\"']?([\w./-]+)[\"']?\s*:\s*[\"']?([^\"'#\s{}]+)[\"']?\s*(?:#.*)?$")


@dataclass(frozen=True)
class Mapping:
    """A values path (tuple of keys) that a template line (``where``: file:line) takes as a placement field."""
    path: tuple
    field: str
    where: str
    default: str = None


def templates_of(chart):
    """(path, text) of every template of ``chart`` (regular files only; a symbolic link is skipped)."""
    found = []
    for root, dirs, names in os.walk(os.path.join(chart, "templates")):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(root, name)
            if name.endswith((".yaml", ".yml", ".tpl")) and not os.path.islink(path):
                try:
                    found.append((path, files.read_text(path)))
                except files.FileError:
                    continue   # not readable as text: nothing there maps a value
    return found


def mappings(templates):
    """The Mappings of the chart's templates, first one per path."""
    found = {}
    for path, text in templates:
        lines = text.splitlines()
        for number, line in enumerate(lines):
            match = _FIELD_LINE.match(line)
            if not match:
                continue
            field = match.group(1)
            near = [match.group(2), *lines[number + 1:number + 3]] + lines[max(0, number - 2):number][::-1]
            for candidate in near:
                values = _VALUES.search(candidate)
                if values:
                    default = _DEFAULT.search(line)
                    key = tuple(values.group(1).split("."))
                    if key[-1] == field:
                        found.setdefault(key, Mapping(key, field, f"{path}:{number + 1}",
                                                      default.group(1) if default else None))
                    break
    return list(found.values())


def pins(path, text, old):
    """(line, what) of each placement literal in a template that ties it to the WASI pool ``old``."""
    found = []
    lines = text.splitlines()
    for number, line in enumerate(lines):
        what = _pin(line, lines[max(0, number - 3):number], old)
        if what:
            found.append({"line": number + 1, "reason": (
                f"{path}:{number + 1}: {what} is hard-coded in the template: rewrite cannot change it (it is not "
                "a value). Edit the template: take it from values.yaml, or change it by hand.")})
    return found


def _pin(line, before, old):
    defaults = [d for d in _DEFAULT.findall(line) if is_wasi_runtime_class(d) or d == old]
    if defaults:
        return f'the default "{defaults[0]}"'
    literal = _ACTION.sub("", line)
    pair = _PAIR.match(literal)
    if pair:
        key, value = pair.groups()
        if key == "runtimeClassName" and is_wasi_runtime_class(value):
            return f"runtimeClassName {value}"
        if (key in POOL_LABELS and value == old) or is_wasi_label(key, value) or is_wagi_annotation(key):
            return f"{key}: {value}"
        if value == "wasm32-wagi":
            return "the Krustlet toleration (kubernetes.io/arch wasm32-wagi)"
    item = _LIST_ITEM.match(literal) or _FLOW_VALUES.search(literal)
    if item and item.group(1) == old and any("agentpool" in b for b in [*before, literal]):
        return f"the pool {old} in a node-affinity term"
    return None


def rewrite_values(source, move, chart_mappings, runtime_classes):
    """(new text, rows, reported) of a chart's values file; see the module docstring."""
    original = _original(source)
    if move.phase == "rollback" or not chart_mappings:
        return original, [], []
    start = replace(source, text=original)
    loaded = documents.Loaded(start)
    values = loaded.documents[0] if loaded.documents and isinstance(loaded.documents[0], dict) else None
    if values is None:
        return original, [], []
    yaml = yamledit.best_yaml(original.replace("\r\n", "\n"), loaded.documents)
    before = yamledit.dump(yaml, loaded.documents)
    rows, reported = [], []
    for prefix, items in _groups(chart_mappings).items():
        parent = _at(values, prefix)
        if parent is not None:
            row, missing = _move_group(parent, prefix, items, move, runtime_classes)
            rows += [row] if row else []
            reported += missing
    after = yamledit.dump(yaml, loaded.documents)
    if after == before:
        return original, rows, reported
    text = restore.mark(original, documents.finish(start, before, after))
    if restore.unmark(text) != original:
        raise RewriteFileError(source.path, None, "could not keep its original lines for a rollback (wasimig's own "
                                                  "check). Nothing was written: change it by hand.")
    return text, rows, reported


def _original(source):
    if not restore.has_markers(source.text):
        return source.text
    text = restore.unmark(source.text)
    if text is None:
        raise RewriteFileError(source.path, None, "its lines were edited since wasimig rewrote them, so its "
                                                  "'# wasimig:was' comments no longer fit: restore it from Git, or "
                                                  "remove those comments to start from the file as it is.")
    return text


def _groups(chart_mappings):
    groups = {}
    for mapping in chart_mappings:
        groups.setdefault(mapping.path[:-1], []).append(mapping)
    return groups


def _at(values, prefix):
    node = values
    for key in prefix:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def _move_group(parent, prefix, items, move, runtime_classes):
    """(row or None, reported) for one pod's placement keys under ``prefix``, edited in ``parent`` in place."""
    fields = {}
    for item in items:
        key = item.path[-1]
        if key in parent:
            fields[item.field] = yamledit.plain(parent[key])
        elif item.default:
            fields[item.field] = item.default
    name = ".".join(prefix) or "(top level)"
    pod = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
           "spec": {"template": {"spec": {k: v for k, v in fields.items() if v not in ({}, [], "", None)}}}}
    if not documents.in_scope(pod, move, runtime_classes):
        return None, []
    spec = rewrite.retarget(pod, move.old, move.new, move.phase, runtime_class=move.runtime_class)["spec"]["template"][
        "spec"]
    wanted = yamledit.plain(parent)
    for item in items:
        key = item.path[-1]
        if item.field in spec:
            wanted[key] = spec[item.field]
        elif key in wanted:
            wanted[key] = EMPTY[item.field]
    mapped = {item.field for item in items}
    reported = [{"line": None, "reason": (
        f"values {name}: the move needs {field} ({json.dumps(spec[field], sort_keys=True)}), but no template of the "
        f"chart takes {field} from values there: add it to the template.")} for field in spec
        if field in FIELDS and field not in mapped]
    keys = [f"{name}.{k}" if prefix else k for k in wanted if wanted.get(k) != yamledit.plain(parent).get(k)]
    line = min((parent.lc.key(k)[0] + 1 for k in (i.path[-1] for i in items) if k in parent), default=None)
    yamledit.edit(parent, wanted)
    return {"kind": "HelmValues", "namespace": None, "name": name, "line": line, "keys": keys,
            "action": "rewritten" if keys else "unchanged", "reason": ""}, reported
