"""Documents read and written with ruamel.yaml's round-trip mode, edited in place where they differ.

ruamel.yaml (pure Python: round-trip loading never uses its optional C parts) keeps comments, key order, anchors,
flow style and the quoting of scalars, which PyYAML drops. Its layout is not the file's (see ``splice``), so the
dump is only ever compared, never written as it is. ``edit`` changes a loaded document into a wanted plain value
by the smallest edits (a key replaced, removed or added; list items removed or inserted; a scalar's quoting kept),
so ruamel's dump differs from its dump of the unchanged document only where the value did.

YAML 1.2 is read, as ruamel does: ``yes``/``on`` are strings there, as kubectl's YAML 1.2-ish parser takes them
for string fields. Duplicate keys are refused (the API server's decoder would keep the last one silently).
"""

import difflib
import io
import json

_DEFAULT_INDENTS = ((2, 2, 0), (2, 4, 2))


def new_yaml(indent=(2, 2, 0), explicit_start=False):
    from ruamel.yaml import YAML
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 30   # never fold a long line (an annotation holding JSON)
    yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    yaml.explicit_start = explicit_start
    return yaml


def load(text):
    """The documents of ``text`` (LF line ends); raises ruamel.yaml's YAMLError (``problem_mark``) when malformed."""
    return list(new_yaml().load_all(text))


def dump(yaml, documents):
    stream = io.StringIO()
    if documents:
        yaml.dump_all(documents, stream)
    return stream.getvalue()


def best_yaml(text, documents):
    """The YAML settings whose dump of ``documents`` shares the most lines with ``text`` (its indentation, whether
    it starts with ``---``): the fewer lines ruamel lays out otherwise, the fewer a change takes along."""
    from ruamel.yaml.util import load_yaml_guess_indent
    candidates = list(_DEFAULT_INDENTS)
    try:
        _, indent, offset = load_yaml_guess_indent(text)
        candidates.append((indent or 2, (indent or 2) + (offset or 0), offset or 0))
    except Exception:  # pylint: disable=broad-except  # a guess only: multi-document text may not load as one
        pass
    explicit = text.lstrip().startswith("---")
    lines = text.splitlines()

    def shared(indent):
        dumped = dump(new_yaml(indent, explicit), documents).splitlines()
        return sum(size for _, _, size in difflib.SequenceMatcher(None, lines, dumped, autojunk=False)
                   .get_matching_blocks())
    return new_yaml(max(candidates, key=shared), explicit)


def plain(node):
    """``node`` as plain JSON-like Python values (dict, list, str, int, float, bool, None)."""
    from ruamel.yaml.comments import TaggedScalar
    if isinstance(node, dict):
        return {plain(key): plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(item) for item in node]
    if isinstance(node, TaggedScalar):   # an explicit tag (``!!str 1``): its value as written
        return node.value
    for kind in (bool, int, float, str):   # ruamel's scalar subclasses (ScalarInt, DoubleQuotedScalarString...)
        if isinstance(node, kind):
            return kind(node)
    return node


def aliased(documents):
    """ids of the collections used more than once (a YAML anchor and its aliases): never edited in place."""
    seen, shared = set(), set()

    def walk(node):
        if not isinstance(node, (dict, list)):
            return
        if id(node) in seen:
            shared.add(id(node))
            return
        seen.add(id(node))
        for child in node.values() if isinstance(node, dict) else node:
            walk(child)
    for document in documents:
        walk(document)
    return shared


def edit(node, wanted, shared=frozenset()):
    """Change the mapping ``node`` in place into ``wanted`` (a plain dict) by the smallest edits."""
    keys = list(node)
    gone = [k for k in keys if k not in wanted]
    where = keys.index(gone[0]) if gone else len(keys)   # a new key takes the place of the first one removed
    for key in gone:
        del node[key]
    for key, value in wanted.items():
        if key in node:
            _edit_slot(node, key, value, shared)
        elif where < len(node):
            node.insert(where, key, fresh(value))
            where += 1
        else:
            node[key] = fresh(value)


def _edit_slot(parent, key, wanted, shared):
    current = parent[key]
    if plain(current) == wanted:
        return
    if id(current) in shared:
        parent[key] = fresh(wanted)   # the anchor stays as it was for its other uses
    elif isinstance(current, dict) and isinstance(wanted, dict):
        edit(current, wanted, shared)
    elif isinstance(current, list) and isinstance(wanted, list):
        _edit_list(current, wanted, shared)
    else:
        parent[key] = _styled_like(current, wanted)


def _edit_list(current, wanted, shared):
    """Items kept where they are equal, removed or inserted where not, edited in place when one replaces one."""
    def key(item):
        return json.dumps(item, sort_keys=True, default=str)
    have = [key(plain(item)) for item in current]
    opcodes = difflib.SequenceMatcher(None, have, [key(item) for item in wanted], autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in reversed(opcodes):   # from the end: earlier indexes stay valid
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            for offset in range(i2 - i1):
                _edit_slot(current, i1 + offset, wanted[j1 + offset], shared)
            continue
        del current[i1:i2]
        for offset, item in enumerate(wanted[j1:j2]):
            current.insert(i1 + offset, fresh(item))


def _styled_like(current, wanted):
    """``wanted``, quoted as ``current`` was when both are strings (a double-quoted value stays double-quoted)."""
    from ruamel.yaml.scalarstring import ScalarString
    if isinstance(current, ScalarString) and isinstance(wanted, str):
        return current.__class__(wanted)
    return fresh(wanted)


def fresh(value):
    """Plain ``value`` as ruamel collections (block style), for a key or item that was not there."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    if isinstance(value, dict):
        made = CommentedMap()
        for key, item in value.items():
            made[key] = fresh(item)
        return made
    if isinstance(value, list):
        return CommentedSeq(fresh(item) for item in value)
    return value
