"""What ``--export-dir`` writes: one clean YAML manifest per object that has one (a workload as retargeted, a bare
pod or Job to recreate from), rendered and its folder proven writable before anything changes, so that nothing can
fail half-way; and the unified diffs a dry run shows, from the same YAML."""

import copy
import difflib
import os

from azext_wasimig import files
from azext_wasimig.retarget.errors import ExportUnwritable

SERVER_SET_METADATA = ("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink",
                       "deletionTimestamp", "deletionGracePeriodSeconds")


def clean(obj):
    """A copy without what the server sets (status, managedFields, resourceVersion, uid, ...) and, for a pod,
    without its binding to a node (``spec.nodeName``: a pod recreated from it would go straight back there)."""
    new = copy.deepcopy(obj)
    new.pop("status", None)
    for key in SERVER_SET_METADATA:
        (new.get("metadata") or {}).pop(key, None)
    if new.get("kind") == "Pod":
        (new.get("spec") or {}).pop("nodeName", None)
    return new


def to_yaml(obj):
    """The object as clean YAML (sorted keys), fit to keep or to apply."""
    import yaml  # PyYAML comes with azure-cli; imported here to keep module import cheap
    return yaml.safe_dump(clean(obj), sort_keys=True, default_flow_style=False)


def diff(old_obj, new_obj, name):
    """A unified diff of the two objects' clean YAML; empty when nothing changes."""
    before, after = to_yaml(old_obj).splitlines(keepends=True), to_yaml(new_obj).splitlines(keepends=True)
    return "".join(difflib.unified_diff(before, after, fromfile=f"a/{name}", tofile=f"b/{name}"))


def file_name(item):
    """``<namespace>_<kind>_<name>.yaml``: '_' cannot occur in Kubernetes names, so names never collide."""
    namespace, kind, name = item.key
    return f"{namespace}_{kind.lower()}_{name}.yaml"


def render(plans):
    """``{file name: YAML}`` of every plan's manifest, rendered in full before anything is changed or written."""
    return {file_name(item): to_yaml(item.manifest) for item in plans if item.manifest is not None}


def checked(plans, export_dir, overwrite):
    """The manifests for ``export_dir`` (None without one), rendered, with the folder proven writable and free of
    conflicts: it fails before any change or never."""
    if not export_dir:
        return None
    contents = render(plans)
    try:
        files.check_writable(export_dir, contents, overwrite)
    except files.FileError as ex:
        raise ExportUnwritable(str(ex)) from ex
    return contents


def write(export_dir, contents, rows, overwrite):
    """Write the manifests ``checked`` rendered, all or none. A failure says whether the workloads were patched
    (then a dry run writes their manifests)."""
    try:
        files.write_all(export_dir, contents, overwrite)
    except files.FileError as ex:
        patched = any(r["action"] == "patched" for r in rows)
        raise ExportUnwritable(f"{ex}. No manifest was written." + (
            " The workloads were patched: run the same command with --dry-run to write their manifests."
            if patched else "")) from ex


def add_files(rows, plans, directory):
    """Each row of an exported object gets the path of its manifest as ``file`` (None for the others)."""
    paths = {item.key: os.path.join(directory, file_name(item)) for item in plans if item.manifest is not None}
    for r in rows:
        r["file"] = paths.get((r["namespace"], r["kind"], r["name"]))
