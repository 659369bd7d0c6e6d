"""restore: markers hold the original lines, and give them back only while they fit."""

from azext_wasimig.rewrite import restore

ORIGINAL = "a: 1\nsel: {p: \"old\"}   # pin\nz: 2\n"
REWRITTEN = "a: 1\nsel:\n  p: new\nz: 2\n"


def test_mark_then_unmark_gives_the_original_bytes():
    marked = restore.mark(ORIGINAL, REWRITTEN)
    assert marked == 'a: 1\n# wasimig:was 2 ["sel: {p: \\"old\\"}   # pin"]\nsel:\n  p: new\nz: 2\n'
    assert restore.has_markers(marked) and restore.unmark(marked) == ORIGINAL


def test_crlf_files_get_crlf_markers_and_originals():
    original, rewritten = ORIGINAL.replace("\n", "\r\n"), REWRITTEN.replace("\n", "\r\n")
    assert restore.unmark(restore.mark(original, rewritten)) == original


def test_a_marker_whose_lines_are_gone_does_not_fit():
    marked = restore.mark(ORIGINAL, REWRITTEN)
    assert restore.unmark(marked.replace("  p: new\nz: 2\n", "")) is None
