"""sources: what each file is, read as bytes; links and binary files refused."""

import pytest

from azext_wasimig.evaluate.manifests import ManifestError
from azext_wasimig.rewrite import sources
from azext_wasimig.rewrite.errors import RewriteFileError, RewriteRefused


def test_roles_of_a_chart_and_plain_files(tmp_path):
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    for name in ("Chart.yaml", "values.yaml", "templates/deploy.yaml"):
        (chart / name).write_text("a: 1\n")
    (tmp_path / "plain.yaml").write_text("a: 1\n")
    (tmp_path / "pod.json").write_text("{}")
    roles = {s.path.replace(str(tmp_path) + "/", ""): s.role for s in sources.collect([str(tmp_path)])}
    assert roles == {"chart/Chart.yaml": "manifests", "chart/values.yaml": "helm-values",
                     "chart/templates/deploy.yaml": "helm-template", "plain.yaml": "manifests", "pod.json": "json"}


def test_a_bom_is_kept_apart_and_line_ends_are_kept(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\r\n")
    (found,) = sources.collect([str(path)])
    assert (found.bom, found.text, found.original) == ("\ufeff", "a: 1\r\n", "\ufeffa: 1\r\n")


@pytest.mark.parametrize("data, says", [(b"a: \0\n", "binary"), (b"a: \xe9\n", "not UTF-8")])
def test_binary_files_are_refused(tmp_path, data, says):
    path = tmp_path / "b.yaml"
    path.write_bytes(data)
    with pytest.raises(RewriteFileError, match=says):
        sources.collect([str(path)])


def test_links_are_refused_named_or_found(tmp_path):
    (tmp_path / "real.yaml").write_text("a: 1\n")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real.yaml")
    with pytest.raises(RewriteRefused, match="symbolic link"):
        sources.collect([str(tmp_path / "link.yaml")])
    with pytest.raises(ManifestError, match="symbolic link"):
        sources.collect([str(tmp_path)])
