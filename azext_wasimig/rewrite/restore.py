"""How ``--phase rollback`` gets a file's original bytes back.

The placement itself is saved as retarget saves it, in the object's annotation
``wasimig.azure.com/original-placement`` (so a rewritten manifest applied to the cluster can also be rolled back
live, and a re-run computes from the original, never from its own output). Rolling a file back from that annotation
restores the placement but not always the bytes: a key removed and put back comes back at the end of its mapping,
without its comment, in ruamel's quoting. So when the rewrite sees that rolling back from the annotation would not
give the original bytes, it also leaves, above each block of lines it changed, one comment line holding the
original lines::

    # wasimig:was 2 ["      nodeSelector: {agentpool: \\"wasipool\\"}  # the old pool"]

"2": the number of lines that follow the marker and replaced them. Rolling back puts those lines back and drops the
marker; every run (parallel, cutover, a re-run) starts from the original got back this way, so its output depends
only on the original and the phase. Markers that no longer fit (the lines were edited since) are not used: the
placement is then restored from the annotation, and the command says so.
"""

import difflib
import json
import re

from azext_wasimig.rewrite.splice import line_ending, split_lines

MARKER = "# wasimig:was"
_MARKER_LINE = re.compile(r"^(\s*)# wasimig:was (\d+) (\[.*\])\s*$")


def has_markers(text):
    return MARKER in text


def mark(original, rewritten):
    """``rewritten`` with a marker line above each block of lines that differs from ``original``."""
    old, new = split_lines(original), split_lines(rewritten)
    out = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            sample = new[j1] if j1 < j2 else (old[i1] if i1 < i2 else "")
            indent = sample[:len(sample) - len(sample.lstrip(" "))]
            kept = json.dumps([line.rstrip("\r\n") for line in old[i1:i2]], ensure_ascii=False)
            out.append(f"{indent}{MARKER} {j2 - j1} {kept}{line_ending(old)}")
        out += new[j1:j2]
    return "".join(out)


def unmark(text):
    """The original of a marked text, or None when a marker does not fit (its lines were edited since)."""
    lines, out, at = split_lines(text), [], 0
    eol = line_ending(lines)
    while at < len(lines):
        found = _MARKER_LINE.match(lines[at].rstrip("\r\n"))
        if not found:
            out.append(lines[at])
            at += 1
            continue
        count = int(found.group(2))
        try:
            kept = json.loads(found.group(3))
        except ValueError:
            return None
        if at + 1 + count > len(lines) or any(_MARKER_LINE.match(line) for line in lines[at + 1:at + 1 + count]):
            return None
        out += [line + eol for line in kept]
        at += 1 + count
    return "".join(out)
