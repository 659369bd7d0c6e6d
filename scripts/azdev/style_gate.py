"""azdev's style gate: pylint and flake8 with the configs inside azdev's wheel, then `azdev linter`.

Run by scripts/style.sh with the style environment's python. Prints every finding and exits 1 when there is
one that scripts/azdev/style-baseline.txt does not list (the baseline is empty when the package is clean).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import azdev

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PACKAGE = "azext_wasimig"
AZDEV_CONFIGS = Path(azdev.__file__).parent / "config"
BIN = Path(sys.executable).parent
# The rule types azure-cli-extensions' CI runs; command_test_coverage needs azure-cli's own test sources.
LINTER_RULE_TYPES = ["command_groups", "commands", "params", "help_entries"]
# Everything but 127.0.0.1 goes to a dead proxy: the gate must not need the network.
OFFLINE = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1"}


def run(args, **kwargs):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False, **kwargs)


def pylint_findings():
    result = run([BIN / "pylint", f"--rcfile={AZDEV_CONFIGS / 'ext_pylintrc'}", "--output-format=json",
                  "--score=n", PACKAGE], cwd=REPO)
    if result.returncode & 32 or (result.returncode and not result.stdout.strip()):  # 32: pylint's usage error
        sys.exit(f"pylint did not run:\n{result.stdout}{result.stderr}")
    return [(f"{m['path']}:{m['line']}: pylint {m['symbol']} ({m['message']})",
             f"{m['path']} pylint {m['symbol']} {m['obj']}")
            for m in json.loads(result.stdout or "[]")]


def flake8_findings():
    # As `azdev style` runs it: the extension's own [flake8] section plus azdev's ext.flake8 appended.
    result = run([BIN / "flake8", f"--append-config={AZDEV_CONFIGS / 'ext.flake8'}",
                  "--format=%(path)s|%(row)d|%(code)s|%(text)s", PACKAGE, "setup.py"], cwd=REPO)
    if result.returncode not in (0, 1) or result.stderr.strip():
        sys.exit(f"flake8 did not run:\n{result.stdout}{result.stderr}")
    findings = []
    for line in result.stdout.splitlines():
        path, row, code, text = line.split("|", 3)
        findings.append((f"{path}:{row}: flake8 {code} ({text})", f"{path} flake8 {code} {text}"))
    return findings


def staged_extension(root):
    """A throwaway azure-cli checkout stub and extension repo that `azdev linter` accepts without `azdev setup`."""
    (root / "cli" / "scripts" / "ci").mkdir(parents=True)
    shutil.copy(HERE / "cmdcov.yml", root / "cli" / "scripts" / "ci" / "cmdcov.yml")
    ext = root / "ext" / "src" / "wasimig"
    shutil.copytree(REPO / PACKAGE, ext / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("setup.py", "README.rst", "HISTORY.rst"):
        shutil.copy(REPO / name, ext / name)
    shutil.copy(HERE / "linter_exclusions.yml", ext / "linter_exclusions.yml")
    for repo in (root / "cli", root / "ext"):
        run(["git", "init", "-q", repo])
    egg = run([sys.executable, "setup.py", "-q", "egg_info"], cwd=ext)
    if egg.returncode:
        sys.exit(f"could not stage the extension for the linter:\n{egg.stdout}{egg.stderr}")
    azdev_dir, az_dir = root / "azdev", root / "az"
    # azdev keeps per-virtualenv settings under env_config/<venv path>; its pylint checkers read config_files there.
    env_dir = azdev_dir / "env_config" / Path(os.environ["VIRTUAL_ENV"]).relative_to("/")
    shutil.copytree(AZDEV_CONFIGS, env_dir / "config_files")
    az_dir.mkdir()
    for folder in (azdev_dir, env_dir):
        (folder / "config").write_text(f"[cli]\nrepo_path = {root / 'cli'}\n[ext]\nrepo_paths = {root / 'ext'}\n")
    (az_dir / "config").write_text(f"[extension]\ndev_sources = {root / 'ext'}\n[core]\ncollect_telemetry = no\n")
    return {"AZDEV_CONFIG_DIR": str(azdev_dir), "AZURE_CONFIG_DIR": str(az_dir)}, root / "ext"


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def linter_findings():
    with tempfile.TemporaryDirectory(prefix="wasimig-linter-") as tmp:
        env, ext_repo = staged_extension(Path(tmp))
        result = run([BIN / "azdev", "linter", "wasimig", "--min-severity", "low", "-t", *LINTER_RULE_TYPES],
                     cwd=ext_repo, env={**os.environ, **env, **OFFLINE})
    out = ANSI.sub("", result.stdout + result.stderr)
    findings = []
    lines = out.splitlines()
    for i, line in enumerate(lines):
        fail = re.match(r"\s*-\s+FAIL\s+-\s+(\w+) severity: (\w+)", line)
        if fail:
            where = lines[i + 1].strip() if i + 1 < len(lines) else ""
            subject = where.split(" - ", 1)[0]
            findings.append((f"azdev linter {fail.group(2)} ({fail.group(1)}): {where}",
                             f"linter {fail.group(2)} {subject}"))
    custom = re.search(r"Run custom pylint rules\.(.*?)Linter: (PASSED|FAILED)", out, re.S)
    if custom is None:
        sys.exit(f"azdev linter did not run to the end (exit {result.returncode}):\n{out}")
    if custom.group(2) == "FAILED" or "doesn't exist" in custom.group(1):
        for line in custom.group(1).splitlines():
            if re.match(r"\S+\.py:\d+:", line) or "doesn't exist" in line:
                findings.append((f"azdev linter (custom pylint rules): {line.strip()}",
                                 f"linter custom {re.sub(r':[0-9:]+', '', line.strip())}"))
    if result.returncode and not findings:
        sys.exit(f"azdev linter failed without a finding the gate understands (exit {result.returncode}):\n{out}")
    return findings


def baseline():
    path = HERE / "style-baseline.txt"
    if not path.exists():
        return Counter()
    return Counter(line.strip() for line in path.read_text().splitlines() if line.strip() and line[0] != "#")


def main():
    findings = pylint_findings() + flake8_findings() + linter_findings()
    allowed = baseline()
    new = []
    for shown, key in sorted(findings):
        if allowed[key]:
            allowed[key] -= 1
        else:
            new.append((shown, key))
    for shown, _ in new:
        print(shown)
    if "--keys" in sys.argv:
        print("\n".join(sorted(key for _, key in findings)))
    known = len(findings) - len(new)
    if new:
        print(f"style gate FAILED: {len(new)} finding(s) above (pylint/flake8 with azdev 0.2.13's configs, "
              f"azdev linter){f'; {known} more are in the baseline' if known else ''}. Fix them "
              "(see 'Style gate' in docs/development.rst).")
        return 1
    print(f"style gate passed: pylint, flake8 and azdev linter report nothing new"
          f"{f' ({known} baseline finding(s) remain)' if known else ''}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
