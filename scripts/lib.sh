# shellcheck shell=bash
# Set-up shared by demo.sh and test.sh. Everything expensive is cached outside the repo, keyed by what
# it was built from, so a second run costs seconds:
#   $WASIMIG_CACHE/venv-az-<hash>    azure-cli 2.91.0 alone, as a user has it (the `az` the e2e tests run)
#   $WASIMIG_CACHE/venv-test-<hash>  pytest, kubernetes client, azure-cli core for in-process tests
#   $WASIMIG_CACHE/wheelhouse-<hash> the extension's dependencies, so `az extension add` installs offline
#   $WASIMIG_CACHE/venv-style-<hash> azdev 0.2.13 and the pylint/flake8 it runs (scripts/style.sh)
# Needs only python3 (3.10+) with venv and pip, which a fresh machine of this kind has.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${WASIMIG_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/wasimig}"
: "${PYTHON:=python3}"
export WASIMIG_CACHE
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off

say() { printf '==> %s\n' "$*" >&2; }

hash_of() { cat "$@" | sha256sum | cut -c1-12; }

# make_venv NAME REQUIREMENTS_FILE -> prints the venv path; builds it once per requirements hash
make_venv() {
  local name=$1 reqs=$2 dir
  dir="$WASIMIG_CACHE/venv-$name-$(hash_of "$reqs")"
  if [ ! -x "$dir/bin/python" ] || [ ! -f "$dir/.complete" ]; then
    say "creating $name environment in $dir (once; a few minutes)"
    rm -rf "$dir"; mkdir -p "$WASIMIG_CACHE"
    "$PYTHON" -m venv "$dir"
    "$dir/bin/pip" install -q --upgrade pip setuptools wheel >&2
    "$dir/bin/pip" install -q -r "$reqs" >&2
    touch "$dir/.complete"
  fi
  echo "$dir"
}

az_venv() { make_venv az "$REPO/scripts/requirements-az.txt"; }
test_venv() { make_venv test "$REPO/scripts/requirements-test.txt"; }
style_venv() { make_venv style "$REPO/scripts/requirements-style.txt"; }

# style_gate: azdev's style gate (pylint + flake8 with azdev's configs, azdev linter); non-zero on a finding
style_gate() {
  local env
  env=$(style_venv)
  say "style gate: pylint and flake8 with azdev 0.2.13's configs, then azdev linter"
  # azdev needs VIRTUAL_ENV (its settings live per virtualenv) and its tools on PATH.
  VIRTUAL_ENV="$env" PATH="$env/bin:$PATH" "$env/bin/python" "$REPO/scripts/azdev/style_gate.py" "$@"
}

# build_wheel PYTHON_OF_A_VENV -> prints the wheel path (always rebuilt: it is the thing under test)
build_wheel() {
  local py=$1 out="$REPO/dist"
  rm -rf "$out" "$REPO/build" "$REPO"/*.egg-info
  (cd "$REPO" && "$py" -m pip wheel -q --no-deps --no-build-isolation -w "$out" . >&2)
  rm -rf "$REPO/build" "$REPO"/*.egg-info
  ls "$out"/wasimig-*.whl
}

# wheelhouse PYTHON WHEEL -> prints a folder holding the wheel's dependencies (empty when it has none)
wheelhouse() {
  local py=$1 wheel=$2 deps dir
  deps=$("$py" - "$wheel" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
    print("\n".join(l.split(":", 1)[1].strip() for l in z.read(meta).decode().splitlines()
                    if l.startswith("Requires-Dist:")))
PY
)
  dir="$WASIMIG_CACHE/wheelhouse-$(printf '%s' "$deps" | sha256sum | cut -c1-12)"
  if [ -n "$deps" ] && [ ! -f "$dir/.complete" ]; then
    say "downloading the extension's dependencies into $dir (once)"
    mkdir -p "$dir"
    printf '%s\n' "$deps" > "$dir/requirements.txt"
    "$py" -m pip download -q -d "$dir" -r "$dir/requirements.txt" >&2
    touch "$dir/.complete"
  fi
  mkdir -p "$dir"; echo "$dir"
}

# ensure_k8s_binaries: etcd from Debian, kube-apiserver/controller-manager/scheduler built from Debian's
# Kubernetes sources once and cached in $WASIMIG_K8S_CACHE (~4-6 minutes the first time).
ensure_k8s_binaries() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  if ! command -v etcd >/dev/null || ! command -v curl >/dev/null || ! command -v openssl >/dev/null; then
    say "installing etcd-server, curl and openssl from Debian (once)"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      etcd-server curl openssl ca-certificates >/dev/null
  fi
  bash "$REPO/scripts/k8s-test-env/build-k8s-test-bin.sh" >&2
}
