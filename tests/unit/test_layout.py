"""The rules of the layout (docs/development.rst, Layout), read from the source with ``ast``: an import inside a
function counts as much as one at the top of a module."""

import ast
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "azext_wasimig"
TESTS = ROOT / "tests"

# Where the migration lives: none of it may need the CLI (it runs outside az, e.g. under a test or another tool).
DOMAIN_PACKAGES = ("evaluate", "prepare", "retarget", "drain", "verify", "decommission", "compare", "rewrite",
                   "cutover", "vocabulary", "kube")
SHARED_MODULES = ("errors.py", "migration_target.py", "waiting.py", "files.py", "placement.py", "markdown.py")
CLI_ROOTS = ("azure.cli", "knack")


def imported_modules(path):
    """Every module ``path`` imports, anywhere in it, as dotted names (``from a import b`` gives a.b and a)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names.append(base)
            names += [f"{base}.{alias.name}" if node.module else base + alias.name for alias in node.names]
    return names


def domain_modules():
    found = [p for name in DOMAIN_PACKAGES if (PACKAGE / name).is_dir() for p in sorted((PACKAGE / name).rglob("*.py"))]
    return found + [PACKAGE / name for name in SHARED_MODULES]


def test_the_domain_rule_sees_a_lazy_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from azure.cli.core.azclierror import ValidationError\n    import knack.log\n")
    assert {"azure.cli.core.azclierror", "knack.log"} <= set(imported_modules(module))


@pytest.mark.parametrize("path", domain_modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_domain_module_imports_the_cli(path):
    cli = [name for name in imported_modules(path) if any(name == r or name.startswith(r + ".") for r in CLI_ROOTS)]
    assert not cli, (f"{path.relative_to(ROOT)} imports {cli}: raise an errors.MigrationError subclass and report "
                     "through the progress/note callbacks the CLI passes in (docs/development.rst, Layout)")


@pytest.mark.parametrize("path", sorted((PACKAGE / "vocabulary").glob("*.py")), ids=lambda p: p.name)
def test_the_vocabulary_imports_nothing_else_of_the_extension(path):
    ours = [n for n in imported_modules(path) if n.startswith(("azext_wasimig", "."))]
    assert all(n.startswith(("azext_wasimig.vocabulary", ".")) for n in ours), ours


def test_the_test_module_rule_sees_every_spelling(tmp_path):
    module = tmp_path / "test_m.py"
    module.write_text("from tests.unit.test_a import x\nfrom tests.unit import test_b\nfrom . import test_c\n"
                      "import tests.k8s.test_d\nfrom tests.k8s.helpers import _create\n")
    assert [n for n in imported_modules(module) if is_test_module(n)] == [
        "tests.unit.test_a", "tests.unit.test_b", ".test_c", "tests.k8s.test_d"]


def is_test_module(dotted):
    return dotted.split(".")[-1].startswith("test_")


@pytest.mark.parametrize("path", sorted(TESTS.rglob("test_*.py")), ids=lambda p: p.relative_to(TESTS).as_posix())
def test_no_test_module_imports_another_test_module(path):
    imported = [name for name in imported_modules(path) if is_test_module(name)]
    assert not imported, (f"{path.relative_to(ROOT)} imports the test module(s) {imported}: put what they share in "
                          "a conftest.py (fixtures) or a helpers module that is not a test")


# --- the drawing in docs/development.rst -----------------------------------------------------------------------
PATH_TOKEN = re.compile(r"^[A-Za-z_][\w-]*(\.py|/)$")


def drawn_paths():
    """The paths the Layout drawing names, relative to the repository: on a line, the run of folder/module names
    that starts it (what follows is the description). A top line (``azext_wasimig/``, ``tests/``) opens a folder;
    an indented line names its subfolders, and modules: of the line's first subfolder, or of the open folder."""
    text = (ROOT / "docs" / "development.rst").read_text(encoding="utf-8")
    block = text.split("\nLayout\n------\n", 1)[1].split("\n::\n", 1)[1]
    paths, top = [], ""
    for line in block.splitlines()[1:]:
        if line.strip() and not line.startswith("    "):
            break                                   # the end of the literal block
        body = line[4:]
        indent, names = len(body) - len(body.lstrip()), []
        for token in body.split():
            if not PATH_TOKEN.match(token):
                break
            names.append(token)
        if not names or indent > 2:
            continue
        if indent == 0:
            top = names[0]
            paths += names
            continue
        folder = top + names[0] if names[0].endswith("/") else top    # modules after a folder are in it
        paths += [top + n if n.endswith("/") else folder + n for n in names if n is not names[0] or n.endswith("/")]
        if not names[0].endswith("/"):
            paths.append(top + names[0])
    return paths


def test_the_drawing_names_only_what_exists():
    paths = drawn_paths()
    assert "azext_wasimig/vocabulary/wasi.py" in paths and "tests/" in paths
    assert [p for p in paths if not (ROOT / p).exists()] == []


def test_the_drawing_names_every_package():
    packages = sorted(p.parent.relative_to(ROOT).as_posix() + "/" for p in PACKAGE.rglob("__init__.py"))
    drawn = set(drawn_paths())
    assert [p for p in packages if p not in drawn and p != "azext_wasimig/"] == []
