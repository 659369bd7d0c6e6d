"""splice: only the lines an edit changes are replaced; the rest of the original stays byte for byte."""

from azext_wasimig.rewrite.splice import line_ending, splice, split_lines


def test_a_change_lands_in_the_original_even_where_ruamel_lays_out_other_lines_otherwise():
    original = split_lines("a:\n  - x   # odd spacing kept\n  - y\nb: 1\nc: 3\n...\n")
    before = split_lines("a:\n- x   # odd spacing kept\n- y\nb: 1\nc: 3\n")
    after = split_lines("a:\n- x   # odd spacing kept\n- y\nb: 1\nc: 4\n")
    assert "".join(splice(original, before, after)) == "a:\n  - x   # odd spacing kept\n  - y\nb: 1\nc: 4\n...\n"


def test_a_change_next_to_lines_laid_out_otherwise_takes_them_along_in_ruamels_layout():
    original = split_lines("a:\n  - x\n  - y\nb: 1\n")
    before = split_lines("a:\n- x\n- y\nb: 1\n")
    after = split_lines("a:\n- x\n- y\n- z\nb: 1\n")
    assert "".join(splice(original, before, after)) == "a:\n- x\n- y\n- z\nb: 1\n"   # one layout per list


def test_crlf_and_a_missing_last_line_end_are_kept():
    original = split_lines("a: 1\r\nb: 2")
    before, after = split_lines("a: 1\nb: 2\n"), split_lines("a: 1\nb: 3\n")
    assert "".join(splice(original, before, after)) == "a: 1\r\nb: 3"


def test_a_comment_line_the_edit_drops_is_kept_in_place():
    original = split_lines("m:\n  gone: 1   # about gone\n  # about kept\n  kept: 2\n")
    before = original
    after = split_lines("m:\n  kept: 2\n")
    assert "".join(splice(original, before, after)) == "m:\n  # about kept\n  kept: 2\n"


def test_an_insertion_at_a_document_end_goes_before_its_end_marker():
    original = split_lines("a: 1\n...\n---\nb: 2\n")
    before = split_lines("a: 1\n---\nb: 2\n")
    after = split_lines("a: 1\nc: 3\n---\nb: 2\n")
    assert "".join(splice(original, before, after)) == "a: 1\nc: 3\n...\n---\nb: 2\n"


def test_nothing_changed_gives_the_original_lines():
    original = split_lines("x:   1\n")
    assert splice(original, ["x: 1\n"], ["x: 1\n"]) == original


def test_split_lines_splits_on_line_feeds_only():
    assert split_lines("a\fb\r\nc") == ["a\fb\r\n", "c"]
    assert line_ending(split_lines("a\r\nb\n")) == "\r\n" and line_ending(["x"]) == "\n"
