"""The files rewrite reads: found as ``scan --manifests`` finds them (``evaluate.manifests.manifest_files``), but
never through a symbolic link, since they may be written back in place; read as bytes, so that what is written
back differs from them only where the placement does (a BOM, CRLF line ends and a missing last line end kept).

Each file has a role: ``manifests`` (YAML documents; objects with a pod template are rewritten), ``json`` (read,
never rewritten: JSON has no comments, and its layout is not YAML's), ``helm-template`` (a file under a chart's
``templates/``: not YAML until rendered, only searched for hard-coded pins) and ``helm-values`` (a chart's
``values.yaml``: its placement keys are rewritten where the templates map them).
"""

import os
from dataclasses import dataclass

from azext_wasimig import files
from azext_wasimig.evaluate import manifests
from azext_wasimig.rewrite.errors import RewriteFileError, RewriteRefused
from azext_wasimig.rewrite.splice import split_lines

BOM = "\ufeff"


@dataclass
class Source:
    path: str           # as found (under the path named)
    root: str           # the path named on the command line that it was found under
    role: str           # manifests | json | helm-template | helm-values
    text: str = ""      # decoded, without the BOM; line ends as they are
    bom: str = ""
    mode: int = 0o644   # its permission bits, kept when it is written back

    @property
    def lines(self):
        return split_lines(self.text)

    @property
    def original(self):
        return self.bom + self.text


def collect(paths, note=None):
    """Every file below ``paths`` to look at, in a stable order, read; raises before anything else happens."""
    for path in paths:
        if os.path.islink(path):
            raise RewriteRefused(f"{path} is a symbolic link (to {os.path.realpath(path)}): wasimig never writes "
                                 "through one.", recommendation="Name the file or folder it points to.")
    found = []
    for path in paths:
        for name in manifests.manifest_files([path], note, follow_links=False):
            found.append(read(Source(name, path, role_of(name))))
    return found


def role_of(path):
    chart = chart_of(path)
    where = os.path.abspath(path)
    if chart and where.startswith(os.path.join(chart, "templates") + os.sep):
        return "helm-template"
    if chart and os.path.dirname(where) == chart and os.path.basename(where) in ("values.yaml", "values.yml"):
        return "helm-values"
    return "json" if path.lower().endswith(".json") else "manifests"


def chart_of(path):
    """The absolute path of the Helm chart ``path`` belongs to (the nearest folder above it holding Chart.yaml), or
    None."""
    folder = os.path.dirname(os.path.abspath(path))
    while not os.path.isfile(os.path.join(folder, "Chart.yaml")):
        if os.path.dirname(folder) == folder:
            return None
        folder = os.path.dirname(folder)
    return folder


def read(source):
    """``source`` with its text: UTF-8 without NUL bytes (anything else is refused as binary)."""
    try:
        data = files.read_bytes(source.path)
        source.mode = os.stat(source.path).st_mode & 0o7777
    except files.FileError as ex:
        raise RewriteFileError(source.path, None, ex.problem) from ex
    if b"\0" in data:
        raise RewriteFileError(source.path, None, "is a binary file, not YAML: name manifests, values files or "
                                                  "the folders holding them")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as ex:
        raise RewriteFileError(source.path, None, f"is not UTF-8 text ({ex.reason} at byte {ex.start}): a binary "
                                                  "file? Name manifests, values files or their folders") from ex
    source.bom, source.text = (BOM, text[1:]) if text.startswith(BOM) else ("", text)
    return source
