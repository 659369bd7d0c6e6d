"""One YAML file of manifests: its documents read with ruamel.yaml, the workloads the move concerns rewritten by
``retarget.rewrite`` (the one implementation of what a placement becomes), written back by ``splice``.

Which objects: those with a pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod; a
kustomize strategic-merge patch of one too: it has kind and metadata.name) that scan ties to the old pool by their
placement (a pin on the pool's name, a WASI RuntimeClass, WASI node labels, Krustlet tolerations, WAGI
annotations; files have no nodes, so a pin that names no pool is taken as the old pool's), and those a rewrite or
``retarget`` moved before (they carry ``wasimig.azure.com/original-placement`` and pin the old or the new pool).
An object saved by another move is left as it is and reported. ``List`` documents are rewritten item by item.
"""

import json
import os
from dataclasses import replace

from azext_wasimig.evaluate import scan, shapes
from azext_wasimig.kube.snapshot import ClusterSnapshot
from azext_wasimig.retarget import plan, rewrite
from azext_wasimig.retarget.errors import ForeignMove
from azext_wasimig.rewrite import restore, splice, yamledit
from azext_wasimig.rewrite.errors import RewriteFileError
from azext_wasimig.rewrite.splice import split_lines
from azext_wasimig.vocabulary.kubernetes import object_key, pod_template
from azext_wasimig.vocabulary.wasi import (KRUSTLET_ARCH, ORIGINAL_PLACEMENT, WASMTIME_LABEL_PREFIX, is_wagi_annotation,
                                           is_wasi_runtime_class)


class Loaded:
    """A file's documents as ruamel.yaml read them."""

    def __init__(self, source):
        self.source = source
        self.documents = parse(source.path, source.text)

    def objects(self):
        """(ruamel mapping, its plain value, its 1-based line) of every Kubernetes object in the file."""
        for document in self.documents:
            if not isinstance(document, dict):
                continue
            items = document.get("items")
            listed = str(document.get("kind") or "").endswith("List") and isinstance(items, list)
            for node in items if listed else [document]:
                value = yamledit.plain(node) if isinstance(node, dict) else None
                if value is not None and _is_object(value):
                    yield node, value, node.lc.line + 1

    def runtime_classes(self):
        return [value for _, value, _ in self.objects() if value.get("kind") == "RuntimeClass"]


def parse(path, text):
    """ruamel.yaml's documents of ``text``; a malformed file is a RewriteFileError naming its line."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    try:
        return [d for d in yamledit.load(text.replace("\r\n", "\n")) if d is not None] or []
    except MarkedYAMLError as ex:
        mark = ex.problem_mark or ex.context_mark
        problem = " ".join(p for p in (ex.context, ex.problem) if p) or "malformed"
        hint = " (an unrendered Helm template? Render it with 'helm template' first)" if "{{" in text else ""
        raise RewriteFileError(path, mark.line + 1 if mark else None, f"not valid YAML: {problem}{hint}. Nothing "
                                                                      "was written: fix the file first.") from ex
    except YAMLError as ex:
        raise RewriteFileError(path, None, f"not valid YAML: {ex}. Nothing was written.") from ex


def _is_object(value):
    from azext_wasimig.evaluate.manifests import is_object
    return is_object(value)


def in_scope(obj, move, runtime_classes):
    """Whether the move (a Request) concerns ``obj``: see the module docstring."""
    if pod_template(obj) is None:
        return False
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    if ORIGINAL_PLACEMENT in annotations and plan.pins_pools(obj, (move.old, move.new)):
        return True
    snapshot = ClusterSnapshot()
    for item in [obj, *runtime_classes]:
        snapshot.add(item)
    return any(plan.pinned_by_placement(f) and set(f.get("pools") or [move.old]) == {move.old}
               for f in scan.assess(snapshot, [move.old], only_pool=move.old))


def moved(obj, move):
    """What ``obj`` becomes in the move's phase (``retarget.rewrite``; a bare Pod's manifest is rewritten too: it is
    created afresh from the file)."""
    if move.phase == "rollback":
        return rewrite.rollback(obj, move.old, move.new)
    return rewrite.retarget(obj, move.old, move.new, move.phase, runtime_class=move.runtime_class, allow_pod=True)


def rewrite_objects(loaded, move, runtime_classes):
    """Edit the file's documents in place; one row per object the move concerns."""
    shared = yamledit.aliased(loaded.documents)
    rows = []
    for node, value, line in loaded.objects():
        problem = shapes.problem(value)   # as scan --manifests: a field of the wrong shape is an error
        if problem:
            raise RewriteFileError(loaded.source.path, line, f"{value['kind']} {value['metadata']['name']}: "
                                                             f"{problem[1]}. Nothing was written: fix the manifest.")
        if not in_scope(value, move, runtime_classes):
            continue
        row = _row(value, line)
        try:
            wanted = moved(value, move)
        except ForeignMove as ex:
            rows.append({**row, "action": "skipped", "reason": str(ex)})
            continue
        if wanted != value:
            yamledit.edit(node, wanted, shared)
        rows.append({**row, "action": "rewritten" if wanted != value else "unchanged",
                     "keys": changed_keys(value, wanted)})
    return rows


def _row(value, line):
    namespace, kind, name = object_key(value)
    return {"kind": kind, "namespace": namespace or None, "name": name, "line": line, "keys": [], "reason": ""}


def changed_keys(old, new, path=""):
    """The dotted paths where ``new`` differs from ``old``, down to the placement fields and annotations."""
    if old == new:
        return []
    if not (isinstance(old, dict) and isinstance(new, dict)) or path.endswith(
            (*rewrite.PLACEMENT_FIELDS, "annotations")):
        if path.endswith("annotations") and isinstance(old, dict) and isinstance(new, dict):
            return [f"{path}.{k}" for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
        return [path]
    found = []
    for key in [*old, *(k for k in new if k not in old)]:
        found += changed_keys(old.get(key), new.get(key), f"{path}.{key}" if path else key)
    return found


def rewrite_file(source, move, runtime_classes):
    """(new text, rows, notes) of one manifests file. Every phase starts from the file's original (``restore``), so
    the result depends only on it and the phase. Rows say "rewritten" only when the file changes."""
    text, rows, notes = _rewritten_file(source, move, runtime_classes)
    if text == source.text:
        rows = [{**row, "action": "unchanged"} if row["action"] == "rewritten" else row for row in rows]
    return text, rows, notes


def _rewritten_file(source, move, runtime_classes):
    original, notes = _original(source, runtime_classes, move)
    if move.phase == "rollback":
        return original, apply(source, move, runtime_classes)[1], notes
    text, rows = apply(replace(source, text=original), move, runtime_classes)
    if text == original:
        return text, rows, notes
    back, _ = apply(replace(source, text=text), replace(move, phase="rollback"), runtime_classes)
    if back == original:
        return text, rows, notes   # the annotation alone gives the bytes back
    marked = restore.mark(original, text)
    if restore.unmark(marked) == original and _same(parse(source.path, marked), parse(source.path, text)):
        return marked, rows, notes
    return text, rows, notes + [f"{source.path}: a rollback will restore the placement but not every byte of it "
                                "(its layout there cannot be kept in a comment)."]


def _original(source, runtime_classes, move):
    """The file as it was before any rewrite: its markers undone, else its saved placement rolled back."""
    if restore.has_markers(source.text):
        text = restore.unmark(source.text)
        if text is not None and _same(parse(source.path, text), parse(source.path, apply(
                source, replace(move, phase="rollback"), runtime_classes)[0])):
            return text, []
        note = [f"{source.path}: its lines were edited since wasimig rewrote them: the placement is restored from "
                "its annotation, and the rest of the file is kept as it is now."]
        return apply(_unmarked(source), replace(move, phase="rollback"), runtime_classes)[0], note
    return apply(source, replace(move, phase="rollback"), runtime_classes)[0], []


def _unmarked(source):
    kept = [line for line in split_lines(source.text) if not line.lstrip().startswith(restore.MARKER)]
    return replace(source, text="".join(kept))


def _same(documents, others):
    def canonical(items):
        return json.dumps([yamledit.plain(d) for d in items], sort_keys=True, default=str)
    return canonical(documents) == canonical(others)


def apply(source, move, runtime_classes):
    """(new text, rows) of the move applied to the file once: the text is the original where nothing changed."""
    loaded = Loaded(source)
    yaml = yamledit.best_yaml(source.text.replace("\r\n", "\n"), loaded.documents)
    before = yamledit.dump(yaml, loaded.documents)
    rows = rewrite_objects(loaded, move, runtime_classes)
    after = yamledit.dump(yaml, loaded.documents)
    return (finish(source, before, after) if after != before else source.text), rows


def finish(source, before, after):
    """ruamel's dumps before and after the edit, spliced into the original lines, and read again to prove that the
    text holds exactly the edited documents."""
    lines = splice.splice(splice.split_lines(source.text), splice.split_lines(before), splice.split_lines(after))
    text = "".join(lines)
    again = [yamledit.plain(d) for d in parse(source.path, text)]
    wanted = [yamledit.plain(d) for d in yamledit.load(after) if d is not None]
    if json.dumps(again, sort_keys=True, default=str) != json.dumps(wanted, sort_keys=True, default=str):
        raise RewriteFileError(source.path, None, "could not be rewritten without changing more than its placement "
                                                  "(wasimig's own check). Nothing was written: change it by hand.")
    return text


def json_report(loaded, move, runtime_classes):
    """JSON manifests are read, never rewritten (JSON has no comments and its layout is not YAML's): what would
    change in them is reported."""
    reported = []
    for row in rewrite_objects(loaded, move, runtime_classes):   # edits the documents read, never written
        if row["action"] == "rewritten":
            reported.append({"line": row["line"], "reason": (
                f"{row['kind']} {row['name']}: {', '.join(row['keys'])} would change, but JSON files are not "
                "rewritten: convert it to YAML, or make the change by hand.")})
    return reported


PATCH_NOTE = ("kustomize merges this strategic-merge patch into its base: a placement key removed here stays where the "
              "base sets it, and the saved placement holds only what the patch sets. Rewrite the base in the same "
              "run, and check the result: kustomize build OVERLAY > rendered.yaml, then az aks wasi-migrate scan "
              "--manifests rendered.yaml --fail-on-findings.")


def strategic_merge_patches(loaded_files):
    """Absolute paths of the strategic-merge patch files the kustomizations read name (``patchesStrategicMerge``,
    and ``patches`` entries with a path: a JSON 6902 one is a list and holds no object to rewrite anyway)."""
    found = set()
    for loaded in loaded_files:
        if os.path.basename(loaded.source.path) not in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
            continue
        folder = os.path.dirname(os.path.abspath(loaded.source.path))
        for document in (d for d in loaded.documents if isinstance(d, dict)):
            named = [p for p in document.get("patchesStrategicMerge") or [] if isinstance(p, str)]
            named += [p.get("path") for p in document.get("patches") or [] if isinstance(p, dict) and p.get("path")]
            found.update(os.path.normpath(os.path.join(folder, str(name))) for name in named)
    return found


def json_patch_report(loaded, move):
    """kustomize JSON 6902 patches (a YAML list of ``op``/``path``/``value``) are not rewritten: an operation on a
    placement field whose value names the old pool or a WASI setting is reported with its line."""
    reported = []
    for document in loaded.documents:
        if not isinstance(document, list):
            continue
        for operation in (o for o in document if isinstance(o, dict) and {"op", "path"} <= set(o)):
            path = str(operation.get("path"))
            if any(f"/{field}" in path for field in rewrite.PLACEMENT_FIELDS) and _ties(operation, move):
                reported.append({"line": operation.lc.line + 1, "reason": (
                    f"{loaded.source.path}:{operation.lc.line + 1}: a JSON 6902 patch ({operation['op']} {path}) "
                    "sets WASI placement: rewrite does not change JSON patches. Change it by hand, or turn it into "
                    "a strategic-merge patch, which rewrite changes.")})
    return reported


def _ties(operation, move):
    def strings(value):
        if isinstance(value, dict):
            return [s for pair in value.items() for item in pair for s in strings(item)]
        if isinstance(value, list):
            return [s for item in value for s in strings(item)]
        return [value] if isinstance(value, str) else []
    return any(s == move.old or s == KRUSTLET_ARCH or is_wasi_runtime_class(s) or s.startswith(WASMTIME_LABEL_PREFIX)
               or is_wagi_annotation(s) for s in strings(yamledit.plain(operation.get("value"))))
