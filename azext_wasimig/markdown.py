"""Markdown that shows what it was given and nothing more, for the reports scan and verify write (pure).

Values come from the cluster (names, messages, pod reasons) and must not turn into HTML or break a table.
"""


def text(value):
    """Markdown-safe running text: no raw HTML, no line breaks."""
    return str(value).replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")


def cell(value):
    """``text`` fit for a table cell: a '|' stays a character."""
    return text(value).replace("|", "\\|")


def code(value):
    """``value`` as inline code, on one line, in a table cell too (a backtick inside gets the double fence)."""
    quoted = str(value).replace("\n", " ").replace("|", "\\|")
    return f"`` {quoted} ``" if "`" in quoted else f"`{quoted}`"
