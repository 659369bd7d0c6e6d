"""Manifests: YAML/JSON files or folders read into the same ClusterSnapshot the cluster gives.

So ``scan --manifests`` reuses ``scan.assess`` unchanged, with no cluster: CI pipelines can check
that no WASI-specific setting is left. Reads multi-document files (``kubectl``/Helm/kustomize
output), flattens ``List`` kinds, skips empty documents and ignores kinds the scan does not read.
Each object remembers "file:line" of its document, so findings can point at it.

Only regular files are read, each up to ``files.MAX_READ_BYTES`` (32 MiB); every object of a kind scan reads
is checked against ``shapes`` first, so a field of the wrong shape is an error naming its file and line.
"""

import json
import os

from azext_wasimig import files
from azext_wasimig.errors import MigrationError
from azext_wasimig.evaluate import shapes
from azext_wasimig.kube.snapshot import ClusterSnapshot

EXTENSIONS = (".yaml", ".yml", ".json")


class ManifestError(MigrationError):
    """A file that cannot be read or parsed; ``line`` is 1-based (None when unknown)."""
    kind = "file"

    def __init__(self, path, line, message):
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


def load(paths, note=None):
    """A ClusterSnapshot of every object in ``paths`` (files or folders). ``note`` hears
    what is worth a word (a symbolic link followed, or not). Reading nothing at all is an error: a CI gate must
    not pass because it was pointed at the wrong folder."""
    snapshot, found = ClusterSnapshot(), 0
    names = manifest_files(paths, note)
    for path in names:
        for obj, line in _objects_in(path):
            found += 1
            if snapshot.add(obj):
                snapshot.sources[id(obj)] = f"{path}:{line}"
    if not found:
        raise ManifestError(", ".join(paths), None, _nothing_read(names))
    return snapshot


def _nothing_read(names):
    if not names:
        return ("no manifest file there (*.yaml, *.yml or *.json): name the rendered manifests, e.g. "
                "helm template ./chart > rendered.yaml")
    return (f"no Kubernetes object (a mapping with kind and metadata.name) in the {len(names)} file(s) read: name "
            "the rendered manifests, e.g. helm template ./chart > rendered.yaml")


def manifest_files(paths, note=None, follow_links=True):
    """The files to read, in a stable order: named files as given, folders searched recursively
    for *.yaml, *.yml and *.json (hidden folders such as .git skipped). Each must be a regular file (a FIFO
    would block the read forever, a device never ends), and not a symbolic link unless ``follow_links``:
    ``files.FileError`` is raised as a ManifestError."""
    found = []
    for path in paths:
        found.extend(_files_below(path, note) if os.path.isdir(path) else [path])
    for path in found:
        try:
            files.require_regular(path, note, follow_links)
        except files.FileError as ex:
            raise ManifestError(path, None, ex.problem) from ex
    return found


def _files_below(folder, note):
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for linked in (d for d in dirs if os.path.islink(os.path.join(root, d))):
            if note:
                note(f"{os.path.join(root, linked)} is a symbolic link to a folder: not followed (name it to scan it)")
        found.extend(os.path.join(root, n) for n in sorted(names) if n.lower().endswith(EXTENSIONS))
    return found


def _objects_in(path):
    """(object, line of its document) for every Kubernetes object in one file, each of a shape scan can read."""
    text = _read(path)
    documents = _json_documents(path, text) if path.lower().endswith(".json") else _yaml_documents(path, text)
    for document, node in documents:
        for obj, item_node in _flatten(document, node):
            if is_object(obj):
                _check_shape(path, obj, item_node)
                yield obj, _line_at(item_node, ())


def _check_shape(path, obj, node):
    found = shapes.problem(obj)
    if found:
        field, message = found
        name = obj["metadata"]["name"]
        raise ManifestError(path, _line_at(node, field),
                            f"{obj['kind']} {name}: {message}. The API server would refuse it too: fix the manifest.")


def _read(path):
    try:
        return files.read_text(path)
    except files.FileError as ex:
        raise ManifestError(path, None, ex.problem) from ex


def _json_documents(path, text):
    try:
        return [(json.loads(text), None)] if text.strip() else []
    except json.JSONDecodeError as ex:
        raise ManifestError(path, ex.lineno, f"not valid JSON: {ex.msg} (column {ex.colno})") from ex


def _yaml_documents(path, text):
    """(document, its node) per YAML document, one at a time: each keeps the lines it was read from for as
    long as it is being looked at, and no longer."""
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            yield loader.construct_document(node), node
    except yaml.MarkedYAMLError as ex:
        raise ManifestError(path, _line_of(ex), _yaml_message(ex, text)) from ex
    except yaml.YAMLError as ex:
        raise ManifestError(path, None, f"not valid YAML: {ex}") from ex
    finally:
        loader.dispose()


def _line_of(error):
    mark = error.problem_mark or error.context_mark
    return mark.line + 1 if mark else None


def _yaml_message(error, text):
    problem = " ".join(p for p in (error.context, error.problem) if p) or "malformed"
    message = f"not valid YAML: {problem}"
    if "{{" in text:
        message += " (an unrendered Helm template? Render it with 'helm template' first)"
    return message


def _line_at(node, path):
    """The 1-based line of the field at ``path`` (keys and list indexes) below a YAML node: the line of its key,
    so a field that is an alias (``nodeSelector: *list``) points where it is used. Where the path ends early (a
    JSON file has no nodes), the nearest line known; 1 for JSON."""
    if node is None:
        return 1
    line = node.start_mark.line + 1
    for part in path:
        if node.id == "mapping":
            node, key = next(((v, k) for k, v in node.value if getattr(k, "value", None) == str(part)), (None, None))
            line = key.start_mark.line + 1 if key is not None else line
        elif node.id == "sequence" and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            node = None
        if node is None:
            break
    return line


def _flatten(document, node):
    """A ``List`` (kubectl get -o yaml, kustomize) gives its items, each with its own node where known;
    anything else gives itself."""
    if isinstance(document, dict) and str(document.get("kind") or "").endswith("List") \
            and isinstance(document.get("items"), list):
        items = _items_node(node)
        for i, item in enumerate(document["items"]):
            yield from _flatten(item, items.value[i] if items is not None and i < len(items.value) else node)
    elif document is not None:
        yield document, node


def _items_node(node):
    """The node of a top-level ``items`` sequence, or None."""
    for key, value in node.value if node is not None and node.id == "mapping" else []:
        if getattr(key, "value", None) == "items" and value.id == "sequence":
            return value
    return None


def is_object(document):
    """A mapping with kind and a metadata name: values files and other YAML are not."""
    return (isinstance(document, dict) and isinstance(document.get("kind"), str)
            and isinstance(document.get("metadata"), dict) and bool(document["metadata"].get("name")))
