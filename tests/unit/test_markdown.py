"""markdown: what the cluster says shows as text in the reports, never as HTML or a broken table."""

from azext_wasimig import markdown


def test_text_escapes_html_and_keeps_one_line():
    assert markdown.text("<script>x</script>\nnext") == "&lt;script&gt;x&lt;/script&gt; next"


def test_a_cell_keeps_its_pipes_as_characters():
    assert markdown.cell("a|b <c>") == "a\\|b &lt;c&gt;"


def test_code_fences_a_backtick_twice_and_stays_in_its_cell():
    assert markdown.code("plain") == "`plain`"
    assert markdown.code("a`b|c\nd") == "`` a`b\\|c d ``"
