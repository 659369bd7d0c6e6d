"""yamledit: the smallest edits, quoting kept, anchors never edited through."""

from azext_wasimig.rewrite import yamledit


def _dump(documents):
    return yamledit.dump(yamledit.new_yaml(), documents)


def test_edit_changes_only_what_differs_and_keeps_quoting_and_order():
    (doc,) = yamledit.load('m:\n  a: "x"   # c\n  b: 1\n  c: [1, 2]\n')
    yamledit.edit(doc, {"m": {"a": "y", "b": 1, "c": [1, 2]}})
    assert _dump([doc]) == 'm:\n  a: "y"   # c\n  b: 1\n  c: [1, 2]\n'


def test_a_new_key_takes_the_place_of_the_first_one_removed():
    (doc,) = yamledit.load("a: 1\nold: 2\nz: 3\n")
    yamledit.edit(doc, {"a": 1, "new": 4, "z": 3})
    assert _dump([doc]) == "a: 1\nnew: 4\nz: 3\n"


def test_list_items_are_removed_and_inserted_not_rewritten():
    (doc,) = yamledit.load("l:\n- {k: a}   # first\n- {k: b}\n- {k: c}\n")
    yamledit.edit(doc, {"l": [{"k": "a"}, {"k": "c"}, {"k": "d"}]})
    assert _dump([doc]) == "l:\n- {k: a}   # first\n- {k: c}\n- k: d\n"


def test_an_aliased_value_is_replaced_at_its_use_not_edited_through_the_anchor():
    (doc,) = yamledit.load("a: &pin {p: x}\nb: *pin\n")
    yamledit.edit(doc, {"a": {"p": "x"}, "b": {"p": "y"}}, yamledit.aliased([doc]))
    assert yamledit.plain(doc) == {"a": {"p": "x"}, "b": {"p": "y"}}


def test_plain_gives_plain_python_values():
    (doc,) = yamledit.load("a: !!str 1\nb: 2\nc: 1.5\nd: true\ne: 'q'\nf: [x]\n")
    value = yamledit.plain(doc)
    assert value == {"a": "1", "b": 2, "c": 1.5, "d": True, "e": "q", "f": ["x"]}
    assert [type(v) for v in value.values()] == [str, int, float, bool, str, list]


def test_best_yaml_picks_the_files_sequence_indentation():
    text = "a:\n  - x\n  - y\n"
    documents = yamledit.load(text)
    assert yamledit.dump(yamledit.best_yaml(text, documents), documents) == text
