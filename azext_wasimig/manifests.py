"""Manifests: YAML/JSON files or folders read into the same ClusterSnapshot the cluster gives.

So ``scan --manifests`` reuses ``scan.assess`` unchanged, with no cluster: CI pipelines can check
that no WASI-specific setting is left. Reads multi-document files (``kubectl``/Helm/kustomize
output), flattens ``List`` kinds, skips empty documents and ignores kinds the scan does not read.
Each object remembers "file:line" of its document, so findings can point at it.
"""

import json
import os

from azext_wasimig.kube.snapshot import ClusterSnapshot

EXTENSIONS = (".yaml", ".yml", ".json")


class ManifestError(Exception):
    """A file that cannot be read or parsed; ``line`` is 1-based (None when unknown)."""

    def __init__(self, path, line, message):
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


def load(paths):
    """A ClusterSnapshot (origin "manifests") of every object in ``paths`` (files or folders)."""
    snapshot = ClusterSnapshot(origin="manifests")
    for path in manifest_files(paths):
        for obj, line in _objects_in(path):
            if snapshot.add(obj):
                snapshot.sources[id(obj)] = f"{path}:{line}"
    return snapshot


def manifest_files(paths):
    """The files to read, in a stable order: named files as given, folders searched recursively
    for *.yaml, *.yml and *.json (hidden folders such as .git skipped)."""
    files = []
    for path in paths:
        if os.path.isdir(path):
            files.extend(_files_below(path))
        elif os.path.isfile(path):
            files.append(path)
        else:
            raise ManifestError(path, None, "no such file or folder")
    return files


def _files_below(folder):
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(os.path.join(root, n) for n in sorted(names) if n.lower().endswith(EXTENSIONS))
    return found


def _objects_in(path):
    """(object, line of its document) for every Kubernetes object in one file."""
    text = _read(path)
    documents = _json_documents(path, text) if path.lower().endswith(".json") else _yaml_documents(path, text)
    for document, lines in documents:
        for obj, line in _flatten(document, lines):
            if _is_object(obj):
                yield obj, line


def _read(path):
    try:
        with open(path, encoding="utf-8-sig") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as ex:
        raise ManifestError(path, None, f"cannot read it: {ex}") from ex


def _json_documents(path, text):
    try:
        return [(json.loads(text), (1, []))] if text.strip() else []
    except json.JSONDecodeError as ex:
        raise ManifestError(path, ex.lineno, f"not valid JSON: {ex.msg} (column {ex.colno})") from ex


def _yaml_documents(path, text):
    """(document, (first line, first line of each ``items`` entry)) per YAML document; documents
    are composed one by one so each keeps the lines it starts on."""
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    documents = []
    try:
        while loader.check_node():
            node = loader.get_node()
            documents.append((loader.construct_document(node), (node.start_mark.line + 1, _item_lines(node))))
    except yaml.MarkedYAMLError as ex:
        raise ManifestError(path, _line_of(ex), _yaml_message(ex, text)) from ex
    except yaml.YAMLError as ex:
        raise ManifestError(path, None, f"not valid YAML: {ex}") from ex
    finally:
        loader.dispose()
    return documents


def _line_of(error):
    mark = error.problem_mark or error.context_mark
    return mark.line + 1 if mark else None


def _yaml_message(error, text):
    problem = " ".join(p for p in (error.context, error.problem) if p) or "malformed"
    message = f"not valid YAML: {problem}"
    if "{{" in text:
        message += " (an unrendered Helm template? Render it with 'helm template' first)"
    return message


def _item_lines(node):
    """First line of each entry of a top-level ``items`` sequence (empty when there is none)."""
    for key, value in node.value if node is not None and node.id == "mapping" else []:
        if getattr(key, "value", None) == "items" and value.id == "sequence":
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _flatten(document, lines):
    """A ``List`` (kubectl get -o yaml, kustomize) gives its items, each with its own line where
    known; anything else gives itself."""
    line, item_lines = lines
    if isinstance(document, dict) and str(document.get("kind") or "").endswith("List") \
            and isinstance(document.get("items"), list):
        for i, item in enumerate(document["items"]):
            yield from _flatten(item, (item_lines[i] if i < len(item_lines) else line, []))
    elif document is not None:
        yield document, line


def _is_object(document):
    """A mapping with kind and a metadata name: values files and other YAML are not."""
    return (isinstance(document, dict) and isinstance(document.get("kind"), str)
            and isinstance(document.get("metadata"), dict) and bool(document["metadata"].get("name")))
