"""Merge patches (retarget/patch.py): what the API server makes of them is the object wanted; a failed object's
row says why, with the advice."""

import copy

from azext_wasimig.errors import MigrationError
from azext_wasimig.retarget import patch as rp_patch
from azext_wasimig.retarget import rewrite as rt
from tests.unit.retarget.helpers import NEW, OLD, krustlet_deployment, spin_cronjob


def test_merge_patch_applied_gives_the_new_object():
    for make in (krustlet_deployment, spin_cronjob):
        old = make()
        for new in (rt.retarget(old, OLD, NEW, "parallel"), rt.retarget(old, OLD, NEW, "cutover")):
            patch = rp_patch.merge_patch(old, new)
            assert apply_merge_patch(old, patch) == new
            assert apply_merge_patch(new, rp_patch.merge_patch(new, rt.rollback(new))) == old
            assert "status" not in patch and set(patch) == {"metadata", "spec"}
            assert rp_patch.merge_patch(new, copy.deepcopy(new)) == {}


def apply_merge_patch(target, patch):
    """RFC 7386 MergePatch, as the API server applies application/merge-patch+json."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply_merge_patch(result.get(key), value)
    return result


def test_object_path_follows_its_own_api_version():
    assert rp_patch.object_path(krustlet_deployment()) == "/apis/apps/v1/namespaces/demo/deployments/wagi"
    assert rp_patch.object_path({"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "t"}}) == \
        "/apis/batch/v1beta1/namespaces/default/cronjobs/t"


def test_a_failed_objects_reason_keeps_the_advice_of_a_domain_error_or_an_azclierror():
    class Forbidden(MigrationError):
        kind = "forbidden"

    class CliShaped(Exception):   # what an azclierror carries: error_msg and a list of recommendations
        def __init__(self, error_msg, recommendations):
            super().__init__(error_msg)
            self.error_msg, self.recommendations = error_msg, recommendations

    assert rp_patch._message(Forbidden("Forbidden while patching.", recommendation="Ask for RBAC.")) == \
        "Forbidden while patching. Ask for RBAC."
    assert rp_patch._message(CliShaped("Forbidden while patching.", ["Ask for RBAC."])) == \
        "Forbidden while patching. Ask for RBAC."
    assert rp_patch._message(Forbidden("HTTP 500")) == "HTTP 500"
