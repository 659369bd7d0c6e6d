"""retarget/run.py: the order of a run. Every refusal comes before the question, and the question before the first
patch; a dry run asks nothing and changes nothing; one object's failure leaves the others done."""

import pytest

from azext_wasimig.kube import rest
from azext_wasimig.kube.snapshot import ClusterSnapshot
from azext_wasimig.retarget import errors, run
from azext_wasimig.verify import follow
from tests.unit.retarget.helpers import NEW, OLD, krustlet_deployment, spin_cronjob

SPINKUBE = {"metadata": {"name": "wasmtime-spin-v2"}}


class Recorder:
    """The run's side effects, in order: questions asked, patches sent, notes and progress lines."""

    def __init__(self, monkeypatch, snapshot, fail=(), stuck=()):
        self.events = []
        monkeypatch.setattr(run.evaluate, "read_cluster", lambda api, detail: snapshot)
        monkeypatch.setattr(run.patch, "patch_to", self._patch_to)
        monkeypatch.setattr(run.follow, "follow", self._follow)
        self.fail, self.stuck = set(fail), set(stuck)

    def _follow(self, _api, rows, *, timeout, progress=None):
        """verify.follow's part: which rows it was handed, and the ones named stuck (with a reason)."""
        self.events.append(("follow", timeout))
        stuck = [r for r in rows if r["name"] in self.stuck]
        for row in stuck:
            row["reason"] = "scripted: pod Pending"
        return stuck

    def _patch_to(self, _api, obj, compute):
        name = obj["metadata"]["name"]
        self.events.append(("patch", name))
        if name in self.fail:
            raise rest.KubeApiError("PATCH", "/x", 422, body={"message": "scripted refusal"})
        return "patched" if compute(obj) != obj else "unchanged"

    def confirm(self, question):
        self.events.append(("confirm", question))

    def note(self, text):
        self.events.append(("note", text))

    def progress(self, text):
        self.events.append(("progress", text))

    def run(self, wait_timeout=run.DEFAULT_TIMEOUT, **request):
        fields = {"old": OLD, "new": NEW, "phase": "parallel", **request}
        return run.run(FakeApi(), run.RetargetRequest(**fields), cluster_name="c", wait_timeout=wait_timeout,
                       confirm=self.confirm, note=self.note, progress=self.progress)

    def kinds(self):
        return [kind for kind, _ in self.events]


class FakeApi:
    class configuration:   # pylint: disable=invalid-name,too-few-public-methods  # ApiClient.configuration.host
        host = "https://127.0.0.1:1"


def estate(runtime_classes=(SPINKUBE,)):
    return ClusterSnapshot(workloads=[spin_cronjob(), krustlet_deployment()], runtime_classes=list(runtime_classes))


def test_the_question_comes_before_the_first_patch_and_every_object_is_patched(monkeypatch):
    recorder = Recorder(monkeypatch, estate())
    rows = recorder.run()
    assert recorder.kinds() == ["note", "confirm", "patch", "progress", "patch", "progress", "follow"]
    assert "has no nodes in the cluster yet" in recorder.events[0][1]
    assert "let 2 workload(s) of cluster 'c' run on node pool" in recorder.events[1][1]
    assert [(r["kind"], r["action"]) for r in rows] == [("CronJob", "patched"), ("Deployment", "patched")]


def test_a_no_to_the_question_changes_nothing(monkeypatch):
    recorder = Recorder(monkeypatch, estate())

    def refuse(question):
        raise KeyboardInterrupt(question)
    monkeypatch.setattr(recorder, "confirm", refuse)
    with pytest.raises(KeyboardInterrupt):
        recorder.run()
    assert "patch" not in recorder.kinds()


def test_a_missing_runtime_class_is_refused_before_the_question(monkeypatch):
    recorder = Recorder(monkeypatch, estate(runtime_classes=()))
    with pytest.raises(errors.MissingRuntimeClass) as caught:
        recorder.run()
    assert str(caught.value).endswith("or pass --runtime-class. Nothing was changed.")
    assert caught.value.kind == "invalid" and recorder.events == []


def test_pods_with_nowhere_to_land_are_refused_before_the_question(monkeypatch):
    recorder = Recorder(monkeypatch, estate())
    with pytest.raises(errors.NowhereToLand) as caught:
        recorder.run(phase="cutover")
    assert "2 workload(s) would have nowhere to run on node pool 'wasipool2'" in str(caught.value)
    assert str(caught.value).endswith("\nNothing was changed.") and "--runtime-class" in caught.value.recommendation
    assert recorder.events == []


def test_a_dry_run_notes_the_refusals_asks_nothing_and_shows_diffs(monkeypatch):
    recorder = Recorder(monkeypatch, estate(runtime_classes=()))
    rows = recorder.run(phase="cutover", dry_run=True)
    assert recorder.kinds() == ["note", "note"]
    assert "does not exist in the cluster" in recorder.events[0][1]
    assert "nowhere to run" in recorder.events[1][1] and "Nothing was changed" not in recorder.events[1][1]
    assert {r["action"] for r in rows} == {"wouldPatch"} and all(r["diff"].startswith("--- a/") for r in rows)


def test_an_export_dir_that_cannot_be_written_stops_before_the_question(monkeypatch, tmp_path):
    (tmp_path / "demo_cronjob_tick.yaml").write_text("kept")
    recorder = Recorder(monkeypatch, estate())
    with pytest.raises(errors.ExportUnwritable) as caught:
        recorder.run(export_dir=str(tmp_path))
    assert "demo_cronjob_tick.yaml" in str(caught.value) and caught.value.kind == "file"
    assert "confirm" not in recorder.kinds() and "patch" not in recorder.kinds()


def test_manifests_are_written_after_the_patches_and_rows_name_them(monkeypatch, tmp_path):
    recorder = Recorder(monkeypatch, estate())
    rows = recorder.run(export_dir=str(tmp_path / "out"))
    assert recorder.events[-2:] == [("note", f"2 manifest(s) written to {tmp_path / 'out'}"), ("follow", 600)]
    assert [r["file"] for r in rows] == [str(tmp_path / "out" / "demo_cronjob_tick.yaml"),
                                         str(tmp_path / "out" / "demo_deployment_wagi.yaml")]
    assert "kind: CronJob" in (tmp_path / "out" / "demo_cronjob_tick.yaml").read_text()


def test_one_failed_object_leaves_the_others_done_and_fails_the_run(monkeypatch):
    recorder = Recorder(monkeypatch, estate(), fail={"tick"})
    with pytest.raises(errors.RetargetIncomplete) as caught:
        recorder.run()
    assert ("patch", "wagi") in recorder.events and ("progress", "Deployment demo/wagi: patched") in recorder.events
    assert str(caught.value).startswith("Some objects could not be retargeted (the others were):\n  demo/CronJob/tick: ")
    assert "scripted refusal" in str(caught.value) and caught.value.kind == "incomplete"


def test_the_rollouts_are_followed_after_the_patches_and_one_that_stalls_fails_the_run(monkeypatch):
    recorder = Recorder(monkeypatch, estate(), stuck={"wagi"})
    with pytest.raises(follow.RolloutsIncomplete) as caught:
        recorder.run(wait_timeout=20)
    assert recorder.kinds()[-3:] == ["patch", "progress", "follow"] and recorder.events[-1] == ("follow", 20)
    assert str(caught.value).startswith("The workloads were patched, but 1 rollout(s) did not become available "
                                        "within 20 s:\n  demo/Deployment/wagi: scripted: pod Pending")
    assert caught.value.kind == "incomplete"


def test_objects_that_could_not_be_patched_are_named_before_stalled_rollouts(monkeypatch):
    recorder = Recorder(monkeypatch, estate(), fail={"tick"}, stuck={"wagi"})
    with pytest.raises(errors.RetargetIncomplete):
        recorder.run()
    assert recorder.kinds()[-1] == "follow"


@pytest.mark.parametrize("fields", [{"wait_timeout": None}, {"dry_run": True}], ids=["--no-wait", "--dry-run"])
def test_no_wait_and_a_dry_run_follow_nothing(monkeypatch, fields):
    recorder = Recorder(monkeypatch, estate(), stuck={"wagi"})
    recorder.run(**fields)
    assert "follow" not in recorder.kinds()
