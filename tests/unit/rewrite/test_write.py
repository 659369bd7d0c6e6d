"""write: destinations checked before anything is written; all or none."""

import pytest

from azext_wasimig.rewrite import write
from azext_wasimig.rewrite.errors import RewriteFileError, RewriteRefused
from azext_wasimig.rewrite.sources import Source


def test_out_dir_inside_a_given_path_is_refused(tmp_path):
    with pytest.raises(RewriteRefused, match="is inside"):
        write.check_out_dir(str(tmp_path / "repo" / "out"), [str(tmp_path / "repo")])
    write.check_out_dir(str(tmp_path / "elsewhere"), [str(tmp_path / "repo")])


def test_destinations_mirror_the_path_below_the_folder_named(tmp_path):
    (tmp_path / "repo" / "a").mkdir(parents=True)
    inside = Source(str(tmp_path / "repo" / "a" / "x.yaml"), str(tmp_path / "repo"), "manifests")
    alone = Source(str(tmp_path / "y.yaml"), str(tmp_path / "y.yaml"), "manifests")
    assert write.destinations([inside, alone], "out") == {inside.path: "out/a/x.yaml", alone.path: "out/y.yaml"}
    assert write.destinations([inside], None) == {inside.path: inside.path}


def test_two_files_to_one_destination_are_refused(tmp_path):
    first = Source(str(tmp_path / "one" / "x.yaml"), str(tmp_path / "one" / "x.yaml"), "manifests")
    second = Source(str(tmp_path / "two" / "x.yaml"), str(tmp_path / "two" / "x.yaml"), "manifests")
    with pytest.raises(RewriteRefused, match="would both be written"):
        write.destinations([first, second], "out")


def test_a_failed_write_puts_back_what_was_written(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("a: 1\n")
    second.write_text("b: 1\n")
    sources = {str(first): (Source(str(first), str(tmp_path), "manifests", "a: 1\n"), "a: 2\n"),
               str(second): (Source(str(second), str(tmp_path), "manifests", "b: 1\n"), "b: 2\n")}
    second.unlink()
    second.mkdir()   # the second write fails: a folder stands where the file was
    with pytest.raises(Exception):
        write.write({str(first): str(first), str(second): str(second)}, sources)
    assert first.read_text() == "a: 1\n"


def test_an_existing_out_dir_file_needs_overwrite(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.yaml").write_text("old")
    source = Source(str(tmp_path / "x.yaml"), str(tmp_path / "x.yaml"), "manifests")
    with pytest.raises(RewriteFileError, match="--overwrite"):
        write.check({source.path: str(tmp_path / "out" / "x.yaml")}, [source], overwrite=False)
    write.check({source.path: str(tmp_path / "out" / "x.yaml")}, [source], overwrite=True)
