"""retarget.managed: what a controller would revert is refused before any change, with the manager, the owner and
the exact commands; paused controllers pass with --allow-managed; Helm and weak evidence are warnings."""

import pytest

from azext_wasimig.retarget import managed
from azext_wasimig.retarget.errors import ManagedByController

KEY = ("shop", "Deployment", "web")


def record(tool="flux", kind="Kustomization", namespace="flux-system", name="apps", reverts=True,
           confidence="strong", state="not suspended: reconciles every 10m"):
    owner = {"kind": kind, "namespace": namespace, "name": name} if kind else None
    return {"tool": tool, "owner": owner, "evidence": ["label x=y"], "confidence": confidence, "reverts": reverts,
            "state": state}


def check(*records, allow_managed=False, dry_run=False):
    notes = []
    managed.check_managed([(KEY, r) for r in records], old="wasipool", new="wasipool2", phase="cutover",
                          allow_managed=allow_managed, dry_run=dry_run, note=notes.append)
    return notes


@pytest.mark.parametrize("allow_managed", [False, True])
def test_a_reconciling_controller_is_refused_even_with_allow_managed(allow_managed):
    with pytest.raises(ManagedByController) as raised:
        check(record(), allow_managed=allow_managed)
    message, advice = str(raised.value), raised.value.recommendation
    assert "shop/Deployment/web: managed by Flux Kustomization flux-system/apps" in message
    assert message.endswith("Nothing was changed.")
    assert ("--allow-managed does not override" in message) is allow_managed
    assert "flux suspend kustomization apps -n flux-system" in advice
    assert ("az aks wasi-migrate rewrite --manifests PATH --nodepool-name wasipool --new-nodepool-name wasipool2 "
            "--phase cutover --in-place") in advice
    assert raised.value.kind == "validation"


@pytest.mark.parametrize("reverts", [False, None])
def test_a_paused_or_unreadable_controller_needs_allow_managed(reverts):
    with pytest.raises(ManagedByController):
        check(record(reverts=reverts))
    notes = check(record(reverts=reverts), allow_managed=True)
    assert len(notes) == 1 and "because of --allow-managed" in notes[0]


def test_the_commands_for_each_owner():
    assert managed.suspend_commands(record(kind="HelmRelease", namespace="shop", name="web")) == [
        "flux suspend helmrelease web -n shop"]
    assert managed.suspend_commands(record(tool="argocd", kind="Application", namespace="argocd", name="shop")) == [
        "kubectl patch application shop -n argocd --type merge -p '{\"spec\":{\"syncPolicy\":{\"automated\":null}}}'",
        "argocd app set argocd/shop --sync-policy none"]
    assert "find it" in managed.suspend_commands(record(kind=None))[0]


def test_helm_and_weak_evidence_are_warnings_not_refusals():
    notes = check(record(tool="helm", kind="Release", namespace="shop", name="web", reverts=False,
                         state="the next helm upgrade reverts"),
                  record(tool="argocd", kind="Application", namespace=None, name="web", reverts=None,
                         confidence="weak", state="not readable"))
    assert "is managed by Helm (release shop/web): it is patched live" in notes[0] and "helm upgrade" in notes[0]
    assert "may be managed by Argo CD" in notes[1] and "weak evidence" in notes[1]


def test_a_dry_run_notes_the_refusal():
    notes = check(record(), dry_run=True)
    assert len(notes) == 1 and "flux suspend kustomization apps -n flux-system" in notes[0]


def test_nothing_managed_nothing_said():
    assert check() == []
