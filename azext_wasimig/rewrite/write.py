"""Where rewritten files go, checked before anything is written, and writing them all or none.

``--in-place``: each changed file is replaced where it is (a temporary file in its folder, then ``os.replace``:
no reader sees half a file), keeping its permission bits; never through a symbolic link (``files`` opens with
``O_NOFOLLOW`` and refuses a link in the file's place). ``--out-dir DIR``: each changed file goes to DIR at its
path below the path named (a file named alone: DIR/its name), never over a file already there unless
``--overwrite``. Should one write fail, the files already written are put back as they were (or removed), so the
tree is never left half rewritten.
"""

import os

from azext_wasimig import files
from azext_wasimig.rewrite.errors import RewriteFileError, RewriteRefused


def check_out_dir(out_dir, paths):
    """An --out-dir is never inside (or the same as) a path named: the next run would read its own output."""
    if out_dir is None:
        return
    real = os.path.realpath(out_dir)
    for path in paths:
        named = os.path.realpath(path)
        if real == named or real.startswith(named.rstrip(os.sep) + os.sep):
            raise RewriteRefused(f"--out-dir {out_dir} is inside {path}, a path to rewrite: its files would be read "
                                 "as manifests by the next run.", recommendation="Choose an --out-dir outside "
                                                                                 "every --manifests path.")


def destinations(changed, out_dir):
    """{source path: path to write} for the changed Sources; the same destination twice is refused."""
    chosen = {}
    for source in changed:
        if out_dir is None:
            chosen[source.path] = source.path
            continue
        below = os.path.relpath(source.path, source.root) if os.path.isdir(source.root) else \
            os.path.basename(source.path)
        chosen[source.path] = os.path.join(out_dir, below)
    taken = {}
    for source_path, target in chosen.items():
        if os.path.realpath(target) in taken:
            raise RewriteRefused(f"{source_path} and {taken[os.path.realpath(target)]} would both be written to "
                                 f"{target}.", recommendation="Rewrite them in separate runs, or use --in-place.")
        taken[os.path.realpath(target)] = source_path
    return chosen


def check(targets, sources, overwrite):
    """Every destination can be written now (nothing is): its folder a real folder (made if missing), the file a
    regular file when it exists, and for --out-dir none there yet unless ``overwrite``."""
    in_place = all(target == path for path, target in targets.items())
    for path, target in targets.items():
        folder, name = os.path.split(target)
        if target != path and os.path.realpath(target) in {os.path.realpath(s.path) for s in sources}:
            raise RewriteRefused(f"{target} is a file being rewritten: --out-dir must not hold the manifests.")
        try:
            files.check_writable(folder or ".", [name], overwrite=in_place or overwrite)
        except files.FileError as ex:
            raise RewriteFileError(ex.path, None, ex.problem + ". Nothing was written.") from ex


def write(targets, results):
    """Write every changed file (``results``: {source path: (Source, new text)}); all or none."""
    done = []
    try:
        for path, target in targets.items():
            source, text = results[path]
            folder, name = os.path.split(target)
            files.write_all(folder or ".", {name: source.bom + text}, overwrite=os.path.lexists(target),
                            mode=source.mode)
            done.append((source, target))
    except BaseException:
        _undo(done)
        raise
    return [target for _, target in done]


def _undo(done):
    for source, target in reversed(done):
        try:
            if target == source.path:
                folder, name = os.path.split(target)
                files.write_all(folder or ".", {name: source.original}, overwrite=True, mode=source.mode)
            else:
                os.unlink(target)
        except (OSError, files.FileError):
            pass   # best effort: the error that stopped the writing is the one to report
