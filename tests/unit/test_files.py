"""files: what the tool reads (regular files only, a size cap) and writes (0600, no overwrite, no symlink, all or
none)."""

import os
import signal
import stat

import pytest

from azext_wasimig import files


@pytest.fixture(autouse=True)
def never_hang():
    """A regression that blocks on a FIFO fails here instead of hanging the suite."""
    def stuck(*_):
        raise AssertionError("blocked: the FIFO was opened for reading")
    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_fifo_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "x.yaml"
    os.mkfifo(fifo)
    with pytest.raises(files.FileError, match=r"is a FIFO \(named pipe\), not a regular file"):
        files.require_regular(str(fifo))
    with pytest.raises(files.FileError, match="FIFO"):
        files.read_text(str(fifo))   # even when called alone: O_NONBLOCK, then fstat


def test_device_says_what_it_is():
    with pytest.raises(files.FileError) as caught:
        files.require_regular("/dev/zero")
    assert caught.value.problem.startswith("is a character device, not a regular file")


def test_symlink_to_a_regular_file_is_followed_with_a_note(tmp_path):
    (tmp_path / "real.yaml").write_text("kind: x\n")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real.yaml")
    notes = []
    files.require_regular(str(tmp_path / "link.yaml"), notes.append)
    assert notes == [f"{tmp_path / 'link.yaml'} is a symbolic link: reading {tmp_path / 'real.yaml'}"]
    assert files.read_text(str(tmp_path / "link.yaml")) == "kind: x\n"
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "gone.yaml")
    with pytest.raises(files.FileError, match="a symbolic link to nothing"):
        files.require_regular(str(tmp_path / "dangling.yaml"))


def test_size_cap(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("a" * 11)
    assert files.read_text(str(path), limit=11) == "a" * 11
    with pytest.raises(files.FileError, match="larger than"):
        files.read_text(str(path), limit=10)
    assert files.MAX_READ_BYTES == 32 * 2**20


def test_not_utf8_is_an_error(tmp_path):
    (tmp_path / "x.yaml").write_bytes(b"kind: \xff\n")
    with pytest.raises(files.FileError, match="not UTF-8"):
        files.read_text(str(tmp_path / "x.yaml"))


def test_new_file_is_0600_whatever_the_umask(tmp_path, umask_022):
    path = files.write_private(str(tmp_path / "report.md"), "secret spec\n")
    assert path == str(tmp_path / "report.md") and mode_of(path) == 0o600
    assert open(path, encoding="utf-8").read() == "secret spec\n"


def test_existing_file_is_kept_unless_overwrite(tmp_path, umask_022):
    path = tmp_path / "report.md"
    path.write_text("old")
    os.chmod(path, 0o644)
    with pytest.raises(files.FileError, match="already exists: pass --overwrite"):
        files.write_private(str(path), "new")
    assert path.read_text() == "old"
    files.write_private(str(path), "new", overwrite=True)
    assert path.read_text() == "new" and mode_of(path) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["report.md"], "no temporary file left"


@pytest.mark.parametrize("overwrite", [False, True])
def test_never_writes_through_a_symlink(tmp_path, overwrite):
    target = tmp_path / "elsewhere"
    target.write_text("keep")
    (tmp_path / "report.md").symlink_to(target)
    with pytest.raises(files.FileError, match="is a symbolic link"):
        files.write_private(str(tmp_path / "report.md"), "new", overwrite=overwrite)
    assert target.read_text() == "keep" and os.path.islink(tmp_path / "report.md")


def test_never_writes_into_a_symlinked_folder(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "real")
    for call in (lambda: files.check_writable(str(tmp_path / "out"), ["a.yaml"]),
                 lambda: files.write_all(str(tmp_path / "out"), {"a.yaml": "x"})):
        with pytest.raises(files.FileError, match="is a symbolic link"):
            call()
    assert os.listdir(tmp_path / "real") == []


def test_write_all_makes_the_folder_private_and_leaves_nothing_when_one_fails(tmp_path):
    folder = tmp_path / "exports"
    assert files.write_all(str(folder), {"a.yaml": "a", "b.yaml": "b"}) == [str(folder / "a.yaml"),
                                                                             str(folder / "b.yaml")]
    assert mode_of(folder) == 0o700
    with pytest.raises(files.FileError, match="cannot write it"):
        files.write_all(str(tmp_path / "other"), {"c.yaml": "c", "missing/d.yaml": "d"})
    assert not os.path.exists(tmp_path / "other"), "c.yaml and the folder made for it were removed again"


def test_overwrite_of_several_is_all_or_none(tmp_path):
    folder = tmp_path / "exports"
    files.write_all(str(folder), {"a.yaml": "old a"})
    with pytest.raises(files.FileError):
        files.write_all(str(folder), {"a.yaml": "new a", "missing/b.yaml": "b"}, overwrite=True)
    assert (folder / "a.yaml").read_text() == "old a" and os.listdir(folder) == ["a.yaml"]


def test_check_writable_names_conflicts_and_changes_nothing(tmp_path):
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("old")
    with pytest.raises(files.FileError, match=r"2 of the files to write exist already \(a.yaml, b.yaml\): "
                                              "pass --overwrite"):
        files.check_writable(str(tmp_path), ["a.yaml", "b.yaml", "c.yaml"])
    files.check_writable(str(tmp_path), ["a.yaml", "b.yaml", "c.yaml"], overwrite=True)
    files.check_writable(str(tmp_path / "new" / "deeper"), ["a.yaml"])
    assert sorted(os.listdir(tmp_path)) == ["a.yaml", "b.yaml"], "no probe, no folder left"


def test_check_writable_refuses_a_folder_under_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(files.FileError, match="is not a folder") as caught:
        files.check_writable(str(tmp_path / "file" / "out"), ["a.yaml"])
    assert caught.value.path == str(tmp_path / "file")
    with pytest.raises(files.FileError, match="is not a folder"):
        files.check_writable(str(tmp_path / "file"), ["a.yaml"])
