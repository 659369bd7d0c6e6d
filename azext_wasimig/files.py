"""Files the tool reads and writes, made safe in one place.

Reading (``--manifests``): regular files only. A plain ``open()`` of a FIFO named ``x.yaml`` blocks until a writer
comes, forever, and a device such as ``/dev/zero`` never ends; so the path is stat'ed first, opened with
``O_NONBLOCK`` (a FIFO swapped in after the stat cannot block either) and checked again on the open descriptor,
and no more than ``MAX_READ_BYTES`` are read. A symbolic link to a regular file is followed, and ``note`` says so.

Writing (``--report``, ``--export-dir``: exported manifests hold whole pod specs): mode 0600, never through a
symbolic link (the file, or the folder it goes in), never over an existing file unless ``overwrite``. A new file is
made with ``O_CREAT | O_EXCL | O_NOFOLLOW``; with ``overwrite`` the content goes to a temporary file in the same
folder first and ``os.replace`` swaps it in, so no reader sees half a file. Several files are written all or none:
``check_writable`` first, before anything else changes (retarget patches the cluster after it), then ``write_all``,
which removes what it wrote when one of them fails.
"""

import os
import secrets
import stat

from azext_wasimig.errors import MigrationError

MAX_READ_BYTES = 32 * 1024 * 1024
FILE_MODE = 0o600
FOLDER_MODE = 0o700
MAX_NAMED = 10   # conflicting files named in one message; the rest are counted
EXISTS = "already exists: pass --overwrite to replace it, or choose another path"
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_READ = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class FileError(MigrationError):
    """A file that cannot be read or written safely; ``problem`` says why and what to do."""
    kind = "file"

    def __init__(self, path, problem):
        self.path, self.problem = path, problem
        super().__init__(f"{path}: {problem}")


# --- reading ----------------------------------------------------------------------------------

def kind_of(mode):
    """What a stat mode is, in words ("a regular file", "a FIFO (named pipe)", ...)."""
    for test, name in ((stat.S_ISREG, "a regular file"), (stat.S_ISDIR, "a folder"),
                       (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return name
    return "not a regular file"


def require_regular(path, note=None, follow_links=True):
    """Raise FileError unless ``path`` is a regular file (or a symbolic link to one, which ``note`` reports; never
    without ``follow_links``: a file to be rewritten in place must not be written through a link)."""
    if not follow_links and os.path.islink(path):
        raise FileError(path, f"is a symbolic link (to {os.path.realpath(path)}): wasimig never writes through one. "
                              "Name the file it points to")
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError as ex:
        problem = "a symbolic link to nothing" if os.path.islink(path) else "no such file or folder"
        raise FileError(path, problem) from ex
    except OSError as ex:
        raise FileError(path, f"cannot read it: {ex.strerror}") from ex
    if not stat.S_ISREG(mode):
        raise FileError(path, f"is {kind_of(mode)}, not a regular file: name YAML or JSON files or folders")
    if note and os.path.islink(path):
        note(f"{path} is a symbolic link: reading {os.path.realpath(path)}")


def read_text(path, limit=MAX_READ_BYTES):
    """The UTF-8 text of a regular file of at most ``limit`` bytes (call ``require_regular`` first for the
    message; this checks again on the open file, which cannot block)."""
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as ex:
        raise FileError(path, f"cannot read it: not UTF-8 text ({ex.reason} at byte {ex.start})") from ex


def read_bytes(path, limit=MAX_READ_BYTES):
    """The bytes of a regular file of at most ``limit`` bytes, as ``read_text`` reads them (a BOM kept)."""
    try:
        fd = os.open(path, _READ)
    except OSError as ex:
        raise FileError(path, f"cannot read it: {ex.strerror}") from ex
    with os.fdopen(fd, "rb") as f:
        opened = os.fstat(fd)
        mode, size = opened.st_mode, opened.st_size
        if not stat.S_ISREG(mode):
            raise FileError(path, f"is {kind_of(mode)}, not a regular file")
        data = f.read(limit + 1) if size <= limit else b""
    if size > limit or len(data) > limit:
        raise FileError(path, f"is larger than {limit / 2**20:g} MiB, the limit for one manifest file: "
                              "split it (one file per chart or kustomization)")
    return data


# --- writing ----------------------------------------------------------------------------------

def check_writable(folder, names, overwrite=False):
    """Raise FileError unless every file of ``names`` can be written into ``folder`` now (made if need be).
    Changes nothing: a probe file is made and removed again in the nearest folder that exists."""
    existing = _nearest_existing(folder)
    _require_folder(existing)
    if existing == folder:
        _require_free(folder, names, overwrite)
    _probe(existing)


def write_private(path, text, overwrite=False):
    """Write one file (see the module docstring); returns its path."""
    folder, name = os.path.split(path)
    return write_all(folder or ".", {name: text}, overwrite)[0]


def write_all(folder, contents, overwrite=False, mode=FILE_MODE):
    """Write ``{file name: text}`` into ``folder`` (made with mode 0700 when missing), all or none, each file with
    ``mode`` (0600 unless told: rewrite --in-place keeps a manifest's own). Returns the paths written, in order."""
    made = not os.path.lexists(folder)
    if made:
        try:
            os.makedirs(folder, mode=FOLDER_MODE)
        except OSError as ex:
            raise FileError(folder, f"cannot make the folder: {ex.strerror}") from ex
    try:
        _require_folder(folder)
        _require_free(folder, contents, overwrite)
        folder_fd = _open_folder(folder)
        try:
            (_replace_all if overwrite else _create_all)(folder_fd, folder, contents, mode)
        finally:
            os.close(folder_fd)
    except BaseException:
        if made:
            _remove_folder(folder)
        raise
    return [os.path.join(folder, name) for name in contents]


def _create_all(folder_fd, folder, contents, mode):
    made = []
    try:
        for name, text in contents.items():
            _write_new(folder_fd, folder, name, text, mode)
            made.append(name)
    except BaseException:   # Ctrl-C too: nothing partial is left
        _remove(folder_fd, made)
        raise


def _replace_all(folder_fd, folder, contents, mode):
    staged = {}
    try:
        for name, text in contents.items():
            temporary = f".{name}.{secrets.token_hex(6)}.tmp"
            _write_new(folder_fd, folder, temporary, text, mode)
            staged[name] = temporary
        for name in list(staged):
            os.replace(staged[name], name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
            del staged[name]
    except OSError as ex:
        raise FileError(folder, f"cannot write there: {ex.strerror}") from ex
    finally:
        _remove(folder_fd, staged.values())


def _write_new(folder_fd, folder, name, text, mode=FILE_MODE):
    path = os.path.join(folder, name)
    try:
        fd = os.open(name, _NEW_FILE, mode, dir_fd=folder_fd)
    except FileExistsError as ex:   # made since it was checked
        raise FileError(path, EXISTS) from ex
    except OSError as ex:
        raise FileError(path, f"cannot write it: {ex.strerror}") from ex
    try:
        os.fchmod(fd, mode)   # the umask may have taken more away (never less private than asked)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:   # the text's own line ends, CRLF too
            f.write(text)
    except BaseException as ex:
        _remove(folder_fd, [name])
        if isinstance(ex, OSError):
            raise FileError(path, f"cannot write it: {ex.strerror}") from ex
        raise


def _remove(folder_fd, names):
    for name in names:
        try:
            os.unlink(name, dir_fd=folder_fd)
        except OSError:
            pass   # already gone; nothing else to undo


def _remove_folder(folder):
    try:
        os.rmdir(folder)   # empty again: what was written into it has been removed
    except OSError:
        pass   # someone else put something there: theirs to keep


def _open_folder(folder):
    try:
        return os.open(folder, _FOLDER)
    except OSError as ex:
        raise FileError(folder, _folder_problem(folder) or f"cannot open the folder: {ex.strerror}") from ex


def _nearest_existing(folder):
    path = os.path.abspath(folder)
    while not os.path.lexists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path if path != os.path.abspath(folder) else folder


def _require_folder(folder):
    problem = _folder_problem(folder)
    if problem:
        raise FileError(folder, problem)


def _folder_problem(folder):
    if os.path.islink(folder):
        return ("is a symbolic link: wasimig never writes through one. Name the folder it points to, or another "
                "folder")
    if not os.path.isdir(folder):
        return "is not a folder: name a folder (it is made when missing)" if os.path.lexists(folder) \
            else "no such folder"
    return None


def _require_free(folder, names, overwrite):
    """Every name is absent, or (with ``overwrite``) a regular file; never a symbolic link or anything else."""
    taken = [name for name in names if os.path.lexists(os.path.join(folder, name))]
    problems = [(name, _exists_problem(folder, name, overwrite)) for name in taken]
    refused = [(name, problem) for name, problem in problems if problem and problem != EXISTS]
    existing = [name for name, problem in problems if problem == EXISTS]
    if refused or len(existing) == 1:
        name, problem = refused[0] if refused else (existing[0], EXISTS)
        raise FileError(os.path.join(folder, name), problem)
    if existing:
        more = f" and {len(existing) - MAX_NAMED} more" if len(existing) > MAX_NAMED else ""
        listed = ", ".join(existing[:MAX_NAMED]) + more
        raise FileError(folder, f"{len(existing)} of the files to write exist already ({listed}): pass --overwrite "
                                "to replace them, or choose another folder")


def _exists_problem(folder, name, overwrite=False):
    """Why the existing ``folder/name`` may not be written, or None (a regular file, with ``overwrite``)."""
    mode = os.lstat(os.path.join(folder, name)).st_mode
    if stat.S_ISLNK(mode):
        return "is a symbolic link: wasimig never writes through one. Remove it, or choose another path"
    if not stat.S_ISREG(mode):
        return f"is {kind_of(mode)}: choose another path"
    return None if overwrite else EXISTS


def _probe(folder):
    """Make and remove a file in ``folder``: the one sure test of writing there (os.access says yes to root)."""
    name = f".wasimig-probe-{secrets.token_hex(6)}"
    try:
        fd = os.open(os.path.join(folder, name), _NEW_FILE, FILE_MODE)
    except OSError as ex:
        raise FileError(folder, f"cannot write there: {ex.strerror}") from ex
    os.close(fd)
    os.unlink(os.path.join(folder, name))
