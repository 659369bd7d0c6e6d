"""Bad input, tried as a new user would (issue 7), as ONE table through the real az against the emulated Azure.

Each row: the arguments after ``az aks wasi-migrate``, the exit code, and a fragment of the message that names
the fix (stderr; stdout when the row succeeds). After every row the emulator's request log holds no write: no
PUT, PATCH or DELETE, and no POST but sign-in. Rows marked ``reads=False`` (the default) must fail before any
request to ARM at all: names and values are checked before they go into a URL or a body.

az's own convention decides the exit code: 2 for what its argument parser rejects (an unknown option, a missing
required one, a value outside a fixed list), 1 for an azclierror the extension raises, 3 for a resource that does
not exist. Rows that need the Kubernetes API server are in tests/k8s/test_e2e_bad_input.py.
"""

import pathlib

import pytest

from tests.e2e.helpers import DEV, PROD, check_row, row

pytestmark = pytest.mark.e2e

PROD_POOL = ("--subscription", PROD, "-g", "rg-apps", "-n", "aks-prod", "--nodepool-name", "wasi")
PROD_CLUSTER = ("--subscription", PROD, "-g", "rg-apps", "-n", "aks-prod")
DEV_STOPPED = ("--subscription", DEV, "-g", "rg-dev", "-n", "aks-dev-stopped")


LOG_FILE_ON = {"AZURE_LOGGING_ENABLE_LOG_FILE": "yes"}   # az config logging.enable_log_file, from the environment
COMPARE = ("compare", *PROD_POOL, "--new-nodepool-name", "std")
ACI_PROD = ("create-aci", *PROD_CLUSTER, "--workload", "demo/deployment/web")
MANIFESTS = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "manifests"
REWRITE = ("--nodepool-name", "wasipool", "--new-nodepool-name", "wasipool2", "--phase", "cutover")


ROWS = [
    # Names go into ARM URL paths: checked against AKS's naming rules before any request.
    row("pool-name-path-traversal", ["show", *PROD_CLUSTER, "--nodepool-name", "../../x"], 1,
        "--nodepool-name '../../x' is not a valid name"),
    row("pool-name-too-long", ["show", *PROD_CLUSTER, "--nodepool-name", "wasipoolnumber1"], 1,
        "1 to 12 letters and digits"),
    row("pool-name-empty", ["cordon", *PROD_CLUSTER, "--nodepool-name", ""], 1, "--nodepool-name '' is not"),
    row("cluster-name-path", ["show", "-g", "rg-apps", "-n", "aks-prod/../x", "--nodepool-name", "wasi"], 1,
        "--name/-n 'aks-prod/../x' is not a valid name"),
    row("resource-group-path", ["show", "-g", "rg/../x", "-n", "aks-prod", "--nodepool-name", "wasi"], 1,
        "--resource-group/-g 'rg/../x' is not a valid name"),
    row("drain-pool-name", ["drain", *PROD_CLUSTER, "--nodepool-name", "wasi pool", "--yes"], 1,
        "--nodepool-name 'wasi pool' is not a valid name"),
    row("retarget-new-pool-name", ["retarget", *PROD_POOL, "--new-nodepool-name", "../std", "--phase", "cutover",
                                   "--yes"], 1, "--new-nodepool-name '../std' is not a valid name"),
    row("wait-pool-name", ["wait", *PROD_CLUSTER, "--nodepool-name", "a?b", "--created"], 1,
        "--nodepool-name 'a?b' is not a valid name"),
    row("create-aci-pool-name", ["create-aci", *PROD_CLUSTER, "--nodepool-name", "x/y", "--workload",
                                 "demo/deployment/web"], 1, "--nodepool-name 'x/y' is not a valid name"),
    # create-pool: what AKS would refuse (or take wrongly) is refused before the PUT.
    row("labels-bad-key", ["create-pool", *PROD_POOL, "--labels", "bad key!=v"], 1,
        "is not a Kubernetes node label"),
    row("labels-bad-value", ["create-pool", *PROD_POOL, "--labels", "team=a b"], 1, "is not a label value"),
    row("labels-bad-prefix", ["create-pool", *PROD_POOL, "--labels", "a/b/c=v"], 1, "is not a DNS subdomain"),
    row("labels-not-a-pair", ["create-pool", *PROD_POOL, "--labels", "team"], 1, "is not key=value"),
    row("zones-out-of-range", ["create-pool", *PROD_POOL, "--zones", "7"], 1, "AKS zones are 1, 2 and 3"),
    row("zones-zero", ["create-pool", *PROD_POOL, "--zones", "1", "0"], 1, "AKS zones are 1, 2 and 3"),
    row("new-pool-name-empty", ["create-pool", *PROD_POOL, "--new-nodepool-name", ""], 1,
        "--new-nodepool-name '' is not a valid name"),
    row("new-pool-name-upper", ["create-pool", *PROD_POOL, "--new-nodepool-name", "STD2"], 1,
        "lowercase letters and digits"),
    row("new-pool-name-is-old", ["create-pool", *PROD_POOL, "--new-nodepool-name", "wasi"], 1,
        "the old pool's own name"),
    row("new-pool-name-is-old-in-another-case", ["create-pool", *PROD_CLUSTER, "--nodepool-name", "WASI",
                                                 "--new-nodepool-name", "wasi"], 1, "the old pool's own name"),
    row("vm-size", ["create-pool", *PROD_POOL, "--vm-size", "big one"], 1, "is not a VM size name"),
    row("node-count-negative", ["create-pool", *PROD_POOL, "--node-count", "-1"], 1, "whole number from 0"),
    row("min-above-max", ["create-pool", *PROD_POOL, "--min-count", "5", "--max-count", "2"], 1, "swap them"),
    # list: a scope that cannot be honoured.
    row("list-all-and-one-subscription", ["list", "--all-subscriptions", "--subscription", DEV], 1,
        "--subscription would be ignored"),
    row("list-all-and-group", ["list", "--all-subscriptions", "-g", "rg-apps"], 1, "cannot be combined"),
    row("list-cluster-without-group", ["list", "-n", "aks-prod"], 1, "needs --resource-group/-g"),
    # scan, drain, retarget, create-aci: values checked before any call.
    row("scan-nothing", ["scan"], 1, "Say what to scan"),
    row("scan-files-and-cluster", ["scan", "--manifests", "x.yaml", "-g", "rg-apps", "-n", "aks-prod"], 1,
        "--manifests scans files, not a cluster"),
    # scan --manifests: what is not a manifest, said so (never a hang, a traceback or a pass on nothing).
    row("scan-device", ["scan", "--manifests", "/dev/zero"], 1, "/dev/zero: is a character device, not a regular file"),
    row("scan-no-manifest-gate", ["scan", "--manifests", str(MANIFESTS / "none"), "--fail-on-findings"], 1,
        "no manifest file there (*.yaml, *.yml or *.json)"),
    row("scan-wrong-shape", ["scan", "--manifests", str(MANIFESTS / "bad" / "node-selector-list.yaml")], 1,
        "node-selector-list.yaml:12: Deployment web: spec.template.spec.nodeSelector must be a mapping"),
    row("rewrite-missing-path", ["rewrite", "--manifests", "no-such-dir", *REWRITE], 1,
        "no-such-dir: no such file or folder"),
    row("rewrite-same-pool", ["rewrite", "--manifests", str(MANIFESTS / "wasi"), "--nodepool-name", "wasipool",
                              "--new-nodepool-name", "WASIPOOL", "--phase", "cutover"], 1,
        "--new-nodepool-name must name another pool"),
    row("rewrite-in-place-and-out-dir", ["rewrite", "--manifests", str(MANIFESTS / "wasi"), *REWRITE, "--in-place",
                                         "--out-dir", "out"], 1, "--in-place and --out-dir cannot be combined"),
    row("rewrite-out-dir-inside", ["rewrite", "--manifests", str(MANIFESTS / "wasi"), *REWRITE, "--out-dir",
                                   str(MANIFESTS / "wasi" / "out")], 1, "is inside"),
    row("rewrite-unrendered-template", ["rewrite", "--manifests", str(MANIFESTS / "bad" / "unrendered-helm.yaml"),
                                        *REWRITE], 1, "unrendered-helm.yaml:"),
    row("rewrite-bad-phase", ["rewrite", "--manifests", str(MANIFESTS / "wasi"), "--nodepool-name", "wasipool",
                              "--new-nodepool-name", "wasipool2", "--phase", "later"], 2, "later"),
    row("drain-timeout-zero", ["drain", *PROD_POOL, "--drain-timeout", "0", "--yes"], 1, "--drain-timeout"),
    row("grace-period-negative", ["drain", *PROD_POOL, "--grace-period", "-1", "--yes"], 1, "--grace-period"),
    row("retarget-same-pool", ["retarget", *PROD_POOL, "--new-nodepool-name", "WASI", "--phase", "cutover"], 1,
        "must name another pool"),
    row("retarget-runtime-class", ["retarget", *PROD_POOL, "--new-nodepool-name", "web", "--phase", "parallel",
                                   "--runtime-class", "Spin_V2"], 1, "is not a RuntimeClass name"),
    row("retarget-timeout-negative", ["retarget", *PROD_POOL, "--new-nodepool-name", "web", "--phase", "cutover",
                                      "--timeout", "-1"], 1, "--timeout -1 is not valid"),
    row("verify-same-pool", ["verify", *PROD_POOL, "--new-nodepool-name", "WASI"], 1, "must name another pool"),
    row("verify-soak-negative", ["verify", *PROD_POOL, "--new-nodepool-name", "web", "--soak", "-1"], 1,
        "--soak -1 is not valid"),
    row("verify-max-restarts-negative", ["verify", *PROD_POOL, "--new-nodepool-name", "web", "--max-restarts",
                                         "-2"], 1, "--max-restarts -2 is not valid"),
    row("verify-interval-zero", ["verify", *PROD_POOL, "--new-nodepool-name", "web", "--soak", "5", "--interval",
                                 "0"], 1, "--interval 0 is not valid"),
    row("verify-no-home", ["verify", *PROD_POOL], 1, "Say where the workloads moved"),
    row("verify-two-homes", ["verify", *PROD_POOL, "--new-nodepool-name", "web", "--aci"], 1,
        "Say where the workloads moved"),
    row("verify-aci-group-without-aci", ["verify", *PROD_POOL, "--new-nodepool-name", "web",
                                         "--aci-resource-group", "rg-aci"], 1, "only applies with --aci"),
    row("verify-new-pool-not-found", ["verify", *PROD_POOL, "--new-nodepool-name", "nosuch"], 3,
        "has no node pool 'nosuch' to verify", reads=True),
    row("verify-old-pool-not-wasi", ["verify", *PROD_CLUSTER, "--nodepool-name", "web", "--new-nodepool-name",
                                     "wasi"], 1, "is not a WASI node pool", reads=True),
    # A dot next to a dot or a dash is no DNS subdomain (the Kubernetes name rule): refused before any call.
    row("retarget-runtime-class-dots", ["retarget", *PROD_POOL, "--new-nodepool-name", "web", "--phase", "parallel",
                                        "--runtime-class", "spin..v2"], 1, "is not a RuntimeClass name"),
    row("create-aci-workload-ref", ["create-aci", *PROD_CLUSTER, "--workload", "web"], 1, "NAMESPACE/KIND/NAME"),
    row("create-aci-workload-dots", ["create-aci", *PROD_CLUSTER, "--workload", "demo/deployment/web.-1"], 1,
        "NAMESPACE/KIND/NAME"),
    row("create-aci-dns-label", ["create-aci", *PROD_CLUSTER, "--workload", "demo/deployment/web",
                                 "--dns-name-label", "Bad_Label"], 1, "--dns-name-label"),
    # create-aci's policy-token request bodies (Secret values included) would be logged: refused first.
    row("policy-token-verbose", [*ACI_PROD, "--acquire-policy-token", "--verbose"], 1, "drop --verbose/--debug"),
    row("policy-token-debug", [*ACI_PROD, "--change-reference", "CR-1", "--debug"], 1, "drop --verbose/--debug"),
    row("policy-token-log-file", [*ACI_PROD, "--acquire-policy-token"], 1, "az's log file", env=LOG_FILE_ON),
    # Cluster access: --admin picks Azure's credentials, --kubeconfig brings its own; a stopped cluster has no
    # API server (named as such, with the command that starts it, before any credential is fetched).
    row("admin-with-kubeconfig-cordon", ["cordon", *PROD_POOL, "--admin", "--kubeconfig", "kubeconfig", "--yes"], 1,
        "--admin and --kubeconfig cannot be combined"),
    row("admin-with-kubeconfig-scan", ["scan", *PROD_CLUSTER, "--admin", "--kubeconfig", "kubeconfig"], 1,
        "--admin and --kubeconfig cannot be combined"),
    row("stopped-cluster-scan", ["scan", *DEV_STOPPED], 1, "az aks start -g rg-dev -n aks-dev-stopped", reads=True),
    row("stopped-cluster-drain", ["drain", *DEV_STOPPED, "--nodepool-name", "wasi", "--yes"], 1,
        "is stopped (power state Stopped)", reads=True),
    # What az's parser refuses: a usage error, exit code 2.
    row("retarget-unknown-phase", ["retarget", *PROD_POOL, "--new-nodepool-name", "web", "--phase", "later"], 2,
        "--phase"),
    row("cordon-without-pool", ["cordon", *PROD_CLUSTER], 2, "--nodepool-name"),
    row("unknown-option", ["show", *PROD_POOL, "--frobnicate"], 2, "unrecognized arguments: --frobnicate"),
    # A pool that does not exist: exit code 3 after reading ARM.
    row("pool-not-found", ["show", *PROD_CLUSTER, "--nodepool-name", "nosuch"], 3, "node pool 'nosuch'",
        reads=True),
    row("cordon-pool-not-found", ["cordon", *PROD_CLUSTER, "--nodepool-name", "nosuch", "--yes"], 3,
        "has no node pool 'nosuch'", reads=True),
    # compare: its bounds, threshold, URLs and sides, each refused before any request (issue 11).
    *[row(f"compare-{flag.strip('-')}-{value}", [*COMPARE, flag, value], 1, f"{flag} {value} is out of range")
      for flag, value in (("--duration", "0"), ("--duration", "-5"), ("--duration", "86400"),
                          ("--concurrency", "0"), ("--concurrency", "-1"), ("--concurrency", "10000"),
                          ("--max-requests", "0"), ("--max-requests", "1000000000"))],
    row("compare-duration-not-a-number", [*COMPARE, "--duration", "soon"], 2, "invalid int value: 'soon'"),
    row("compare-max-regression-not-a-number", [*COMPARE, "--max-regression", "ten"], 1,
        "--max-regression 'ten' is not a percentage: give a number from 0 to 1000"),
    row("compare-max-regression-negative", [*COMPARE, "--max-regression", "-5"], 1, "is not a percentage"),
    row("compare-url-malformed", [*COMPARE, "--url-old", "http://10.0.0.4/", "--url-new", "ftp://10.0.0.5/"], 1,
        "--url-new 'ftp://10.0.0.5/' is not an http:// or https:// URL with a host"),
    row("compare-url-no-host", [*COMPARE, "--url-old", "http://", "--url-new", "http://10.0.0.5/"], 1,
        "--url-old 'http://' is not an http:// or https:// URL"),
    row("compare-url-one-side", [*COMPARE, "--url-old", "http://10.0.0.4/"], 1, "--url-old and --url-new go together"),
    row("compare-pod-proxy-malformed", [*COMPARE, "--pod-proxy", "web:80"], 1,
        "--pod-proxy 'web:80' is not PORT[/PATH]"),
    row("compare-no-new-side", ["compare", *PROD_POOL], 1, "Name the new side: either --new-nodepool-name NEW"),
    row("compare-both-new-sides", [*COMPARE, "--aci"], 1, "not both and not neither"),
    row("compare-pod-proxy-aci", ["compare", *PROD_POOL, "--aci", "--pod-proxy", "80"], 1,
        "ACI container groups are not behind it"),
    row("compare-workload-malformed", [*COMPARE, "--workload", "web"], 1, "--workload 'web' is not valid"),
    # delete-pool: two different pools (or --aci), proven by ARM before the cluster is reached; a pool already
    # deleted is exit code 3, saying so.
    row("delete-pool-new-is-old", ["delete-pool", *PROD_POOL, "--new-nodepool-name", "WASI", "--yes"], 1,
        "--new-nodepool-name must name another pool than --nodepool-name"),
    row("delete-pool-no-replacement", ["delete-pool", *PROD_POOL, "--yes"], 1,
        "Say where the workloads moved: --new-nodepool-name POOL (a node pool) or --aci"),
    row("delete-pool-both-replacements", ["delete-pool", *PROD_POOL, "--new-nodepool-name", "web", "--aci"], 1,
        "one of them"),
    row("delete-pool-soak-negative", ["delete-pool", *PROD_POOL, "--aci", "--soak", "-1"], 1,
        "--soak -1 is not valid"),
    row("delete-pool-max-restarts-negative", ["delete-pool", *PROD_POOL, "--aci", "--max-restarts", "-2"], 1,
        "--max-restarts -2 is not valid"),
    row("delete-pool-aci-group-without-aci", ["delete-pool", *PROD_POOL, "--new-nodepool-name", "web",
                                              "--aci-resource-group", "rg-apps"], 1,
        "--aci-resource-group only applies with --aci"),
    row("delete-pool-drain-timeout-zero", ["delete-pool", *PROD_POOL, "--aci", "--drain", "--drain-timeout", "0"], 1,
        "--drain-timeout must be more than 0 minutes"),
    row("delete-pool-new-not-made-from-old", ["delete-pool", *PROD_POOL, "--new-nodepool-name", "web", "--yes"], 1,
        "Node pool 'web' of cluster 'aks-prod' in resource group 'rg-apps' was not made from 'wasi' by wasimig",
        reads=True),
    row("delete-pool-not-wasi", ["delete-pool", *PROD_CLUSTER, "--nodepool-name", "web", "--aci", "--yes"], 1,
        "Node pool 'web' of cluster 'aks-prod' in resource group 'rg-apps' is not a WASI node pool", reads=True),
    row("delete-pool-system-not-wasi", ["delete-pool", *PROD_CLUSTER, "--nodepool-name", "sys", "--aci", "--yes"],
        1, "Node pool 'sys' of cluster 'aks-prod' in resource group 'rg-apps' is not a WASI node pool", reads=True),
    row("delete-pool-old-gone", ["delete-pool", *PROD_CLUSTER, "--nodepool-name", "gone", "--aci", "--yes"], 3,
        "Cluster 'aks-prod' in resource group 'rg-apps' has no node pool 'gone': nothing to delete.", reads=True),
    row("delete-pool-aci-no-group", ["delete-pool", *PROD_POOL, "--aci", "--yes"], 3,
        "No container group made by this tool was found for the workloads of pool 'wasi' in resource group "
        "'rg-apps'", reads=True),
    # rollback: two different pools; a new pool to delete only if wasimig made it from the old one; nothing to go
    # back to once the old pool is deleted (exit code 3, saying what can still be done).
    row("rollback-new-is-old", ["rollback", *PROD_POOL, "--new-nodepool-name", "wasi", "--yes"], 1,
        "--new-nodepool-name must name another pool than --nodepool-name"),
    row("rollback-timeout-negative", ["rollback", *PROD_POOL, "--new-nodepool-name", "web", "--timeout", "-1"], 1,
        "--timeout -1 is not valid"),
    row("rollback-aci-group-without-delete-aci", ["rollback", *PROD_POOL, "--new-nodepool-name", "web",
                                                  "--aci-resource-group", "rg-apps"], 1,
        "--aci-resource-group only applies with --delete-aci"),
    row("rollback-delete-new-not-made-from-old", ["rollback", *PROD_POOL, "--new-nodepool-name", "web",
                                                  "--delete-new-pool", "--yes"], 1,
        "was not made from 'wasi' by wasimig", reads=True),
    row("rollback-old-gone", ["rollback", *PROD_CLUSTER, "--nodepool-name", "gone", "--new-nodepool-name", "web",
                              "--yes"], 3, "cannot be created again", reads=True),
    row("rollback-old-not-wasi", ["rollback", *PROD_CLUSTER, "--nodepool-name", "sys", "--new-nodepool-name", "web",
                                  "--yes"], 1, "wasimig will only roll back to the WASI pools", reads=True),
    # cutover --aci: one new home; rollback --aci: the way back from it
    row("cutover-aci-and-new-pool", ["cutover", *PROD_POOL, "--aci", "--new-nodepool-name", "std", "--yes"], 1,
        "--aci and --new-nodepool-name cannot be combined"),
    row("cutover-aci-group-without-aci", ["cutover", *PROD_POOL, "--aci-resource-group", "rg-apps", "--yes"], 1,
        "--aci-resource-group only applies with --aci"),
    row("rollback-aci-and-new-pool", ["rollback", *PROD_POOL, "--aci", "--new-nodepool-name", "web", "--yes"], 1,
        "--aci and --new-nodepool-name cannot be combined"),
    row("rollback-no-home", ["rollback", *PROD_POOL, "--yes"], 1, "Give --new-nodepool-name NEW"),
    row("rollback-aci-delete-new-pool", ["rollback", *PROD_POOL, "--aci", "--delete-new-pool", "--yes"], 1,
        "--delete-new-pool does not apply with --aci"),
    # wait: one thing to wait for; a container group by a name ACI could hold.
    row("wait-pool-and-group", ["wait", *PROD_CLUSTER, "--nodepool-name", "wasi", "--container-group", "web-0",
                                "--created"], 1, "--nodepool-name POOL or --container-group NAME, one of them"),
    row("wait-nothing", ["wait", *PROD_CLUSTER, "--created"], 1, "--nodepool-name POOL or --container-group NAME"),
    row("wait-aci-group-for-a-pool", ["wait", *PROD_POOL, "--aci-resource-group", "rg-apps", "--created"], 1,
        "--aci-resource-group goes with --container-group"),
    row("wait-container-group-name", ["wait", *PROD_CLUSTER, "--container-group", "Web_0", "--created"], 1,
        "--container-group 'Web_0' is not a container group name"),
    # Accepted, and must do what it says: --dry-run wins over --no-wait (nothing runs, so nothing to wait for).
    row("create-pool-dry-run-no-wait", ["create-pool", *PROD_POOL, "--dry-run", "--no-wait"], 0,
        '"action": "wouldCreate"', reads=True),
]


@pytest.mark.parametrize("case", ROWS)
def test_bad_input_is_refused_clearly_and_changes_nothing(az, arm, case):
    check_row(az, arm, case)
