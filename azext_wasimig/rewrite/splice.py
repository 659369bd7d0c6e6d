"""Put an edit back into the original bytes, changing only the lines the edit changed.

ruamel.yaml keeps comments, key order and quoting, but it re-emits a file in its own layout: a sequence indented
another way, ``...`` end markers dropped, a BOM or CRLF line ends lost, flow collections re-spaced. So the file is
never written from ruamel's output. Instead, three texts are compared line by line: the ``original`` file, ruamel's
dump of the documents as read (``before``) and its dump of the edited documents (``after``). ``before -> after``
holds only the edit; each of its changes is mapped onto the original through the lines ``before`` shares with it,
and only those lines of the original are replaced. Lines ruamel would have laid out differently but that the edit
does not touch stay as they were, byte for byte.

A change next to lines that ruamel lays out differently takes those lines with it, in ruamel's layout (the window
grows to the nearest line both share). A whole-line comment of the original that the edit would drop (ruamel hangs
the comment and blank lines after a key on that key, so deleting the key loses them) is kept where it was, and a
``...`` document end marker ruamel never writes stays after what is added at the document's end.
"""

import difflib


def _text(line):
    return line.rstrip("\r\n")


def split_lines(text):
    """Lines with their ends ("\\n" or "\\r\\n"), split on "\\n" only (str.splitlines would split on form feeds)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def is_comment(line):
    return _text(line).lstrip().startswith("#")


def line_ending(lines):
    """The file's line ending: that of its first line that has one ("\\n" when none has)."""
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
    return "\n"


def splice(original, before, after):
    """``original`` (the file's lines, endings kept) with each change of ``before -> after`` (ruamel's dumps,
    "\\n" line ends) put in its place; see the module docstring."""
    if before == after:
        return list(original)
    mapped = _mapped(original, before)
    opcodes = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    start, end = _positions(opcodes, len(before), len(after))
    eol = line_ending(original)
    out, done = [], 0
    for low, high in _windows(mapped, opcodes):
        o_low = mapped[low] if low >= 0 else -1
        o_high = mapped[high] if high < len(before) else len(original)
        new = [line[:-1] + eol if line.endswith("\n") else line for line in after[start[low + 1]:end[high]]]
        out += original[done:o_low + 1]
        out += _keeping_comments(original[o_low + 1:o_high], new)
        done = o_high
    out += original[done:]
    if out and original and not original[-1].endswith("\n") and done == len(original):
        out[-1] = _text(out[-1])   # the file ended without a line end: so does the result
    return out


def _mapped(original, before):
    """For each line of ``before``: the index of the same line in ``original``, or None where they differ."""
    mapped = [None] * len(before)
    matcher = difflib.SequenceMatcher(None, [_text(line) for line in original], [_text(line) for line in before],
                                      autojunk=False)
    for o_start, b_start, size in matcher.get_matching_blocks():
        for offset in range(size):
            mapped[b_start + offset] = o_start + offset
    return mapped


def _positions(opcodes, before_size, after_size):
    """``start[x]``: where the lines of ``after`` begin that stand for ``before[x:]`` (an insertion at x included);
    ``end[x]``: where ``after`` has ``before[x]`` itself (after an insertion at x)."""
    start, end = {}, {}
    for tag, i1, i2, j1, _ in opcodes:
        start.setdefault(i1, j1)
        if tag == "equal":
            for x in range(i1, i2):
                start.setdefault(x, j1 + x - i1)
                end[x] = j1 + x - i1
    start.setdefault(before_size, after_size)
    end[before_size] = after_size
    start[0] = 0
    return start, end


def _windows(mapped, opcodes):
    """(low, high) per change, merged where they overlap: the nearest lines of ``before`` around the change that
    the original has too (-1 and len(before) at the ends); everything strictly between is replaced."""
    windows = []
    for tag, i1, i2, _, _ in opcodes:
        if tag == "equal":
            continue
        low, high = i1 - 1, i2
        while low >= 0 and mapped[low] is None:
            low -= 1
        while high < len(mapped) and mapped[high] is None:
            high += 1
        if windows and low < windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], high))
        else:
            windows.append((low, high))
    return windows


def _keeping_comments(old, new):
    """``new``, with the original's lines wherever they are the same, and the whole-line comments, blank lines and
    ``...`` markers of ``old`` that ``new`` drops kept in their place: those after the last line replaced come
    after what replaces it."""
    out = []
    matcher = difflib.SequenceMatcher(None, [_text(line) for line in old], [_text(line) for line in new],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += old[i1:i2]
            continue
        replaced = [at for at in range(i1, i2) if not _kept(old[at])]
        last = replaced[-1] + 1 if replaced else i1
        out += [line for line in old[i1:last] if _kept(line)] + new[j1:j2] + old[last:i2]
    return out


def _kept(line):
    """A line that carries no data: a comment, a blank line, a document end marker."""
    text = _text(line).strip()
    return not text or text.startswith("#") or text == "..."
