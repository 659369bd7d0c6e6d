"""rewrite's public entry: ``run(RewriteRequest(...))`` applies retarget's placement rewrite to files (manifests,
kustomize bases and patches, Helm values) and returns one row per file it has something to say about.

The steps, in the order that makes a refusal cost nothing: find and read every file (never through a symbolic
link; binary files refused); parse them all (a malformed file stops the run naming ``file:line``); rewrite each in
memory and prove each result reads back as exactly the rewritten documents; check every destination; only then
write, all or none. Without --in-place or --out-dir nothing is written (the diffs say what would change).
``--check`` raises ``WouldChange`` when any file would change: a CI gate.
"""

import difflib
import os
from dataclasses import dataclass

from azext_wasimig.retarget import rewrite
from azext_wasimig.rewrite import documents, helm, sources, write
from azext_wasimig.rewrite.errors import WouldChange

MAX_CHECK_LINES = 200   # diff lines --check prints on stderr; the files are all named


@dataclass(frozen=True)
class Move:
    """The move, as retarget takes it: the pools as their node labels spell them."""
    old: str
    new: str
    phase: str
    runtime_class: str = rewrite.DEFAULT_RUNTIME_CLASS


@dataclass(frozen=True)
class RewriteRequest:
    paths: tuple
    move: Move
    out_dir: str = None
    in_place: bool = False
    overwrite: bool = False
    check: bool = False
    dry_run: bool = False

    @property
    def writes(self):
        return (self.in_place or self.out_dir is not None) and not self.dry_run and not self.check


def _ignore(_message):
    pass


def run(request, *, note=_ignore):
    """Rewrite as ``request`` says (see the module docstring); ``note`` hears what is worth a word."""
    write.check_out_dir(request.out_dir, request.paths)
    found = sources.collect(request.paths, note)
    loaded = {s.path: documents.Loaded(s) for s in found if s.role != "helm-template"}   # parse all first
    runtime_classes = [rc for item in loaded.values() for rc in item.runtime_classes()]
    patches = documents.strategic_merge_patches(loaded.values())
    results, rows = {}, []
    for source in found:
        text, objects, reported = _rewrite(source, loaded.get(source.path), request.move, runtime_classes)
        if os.path.abspath(source.path) in patches and text != source.text:
            reported.append({"line": None, "reason": documents.PATCH_NOTE})
        results[source.path] = (source, text)
        if objects or reported or text != source.text:
            rows.append(_file_row(source, text, objects, reported))
    changed = [s for s in found if results[s.path][1] != s.text]
    targets = write.destinations(changed, None if request.in_place else request.out_dir)
    if request.writes:
        write.check(targets, found, request.overwrite)
        written = dict(zip(targets, write.write(targets, results)))
        for row in rows:
            row["written"] = written.get(row["file"])
    if request.check and changed:
        raise WouldChange(_check_message(rows), recommendation=_fix(request))
    return rows


def _rewrite(source, loaded, move, runtime_classes):
    """(new text, object rows, reported rows) of one file."""
    if source.role == "manifests":
        text, objects, notes = documents.rewrite_file(source, move, runtime_classes)
        return text, objects, [{"line": None, "reason": line} for line in notes] + documents.json_patch_report(
            loaded, move)
    if source.role == "json":
        return source.text, [], documents.json_report(loaded, move, runtime_classes)
    if source.role == "helm-values":
        return helm.rewrite_values(source, move, _chart_mappings(source.path), runtime_classes)
    return source.text, [], [] if move.phase == "rollback" else helm.pins(source.path, source.text, move.old)


def _chart_mappings(path):
    """Which values keys the chart's templates take as placement (the templates are read, never written)."""
    return helm.mappings(helm.templates_of(sources.chart_of(path)))


def _file_row(source, text, objects, reported):
    before, after = sources.split_lines(source.original), sources.split_lines(source.bom + text)
    diff = "".join(difflib.unified_diff(before, after, f"a/{source.path}", f"b/{source.path}"))
    return {"file": source.path, "type": source.role, "changed": text != source.text, "written": None,
            "objects": objects, "reported": reported, "diff": diff}


def _check_message(rows):
    changed = [r for r in rows if r["changed"]]
    lines = "".join(r["diff"] for r in changed).splitlines()
    shown = "\n".join(lines[:MAX_CHECK_LINES])
    more = f"\n... and {len(lines) - MAX_CHECK_LINES} more diff line(s)" if len(lines) > MAX_CHECK_LINES else ""
    return (f"{len(changed)} file(s) still hold placement this move changes: "
            f"{', '.join(r['file'] for r in changed)}\n{shown}{more}")


def _fix(request):
    move = request.move
    return (f"Run az aks wasi-migrate rewrite --manifests {' '.join(request.paths)} --nodepool-name {move.old} "
            f"--new-nodepool-name {move.new} --phase {move.phase} --in-place, review the diff and commit it.")
