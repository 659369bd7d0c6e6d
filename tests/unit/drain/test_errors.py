"""The drain's errors: what an incomplete or interrupted drain says, and which kind (exit code) each is."""

from azext_wasimig.drain.errors import (DrainIncomplete, DrainInterrupted, EvictionInterrupted, Forbidden,
                                        PoolHasNoNodes, is_incomplete)
from azext_wasimig.errors import MigrationInterrupted

UNDO = "az aks wasi-migrate uncordon -g rg -n c --nodepool-name wasi --yes"


def summary(**parts):
    base = {"dryRun": False, "refused": [], "blocked": [], "failed": [], "timedOut": []}
    return dict(base, **parts)


def test_a_complete_drain_or_a_dry_run_is_not_incomplete():
    assert not is_incomplete(summary())
    assert not is_incomplete(summary(dryRun=True, blocked=[{"pod": "a/b", "pdbs": ["p"]}]))
    assert is_incomplete(summary(blocked=[{"pod": "a/b", "pdbs": ["p"]}]))


def test_incomplete_error_names_every_pod_and_why():
    left = summary(blocked=[{"pod": "apps/web-1", "pdbs": ["web-pdb"]}],
                   failed=[{"pod": "apps/odd", "message": "This pod has more than one PodDisruptionBudget"}],
                   timedOut=[{"pod": "apps/slow", "reason": "evicted, but still terminating"}])
    error = DrainIncomplete(left)
    message = str(error)
    assert message.startswith("The drain did not finish: 3 pod(s) are still on the pool:\n  apps/web-1: ")
    assert "apps/web-1: blocked by PodDisruptionBudget web-pdb" in message
    assert "apps/odd: eviction failed" in message and "apps/slow: evicted, but still terminating" in message
    assert "run the same command again" in error.recommendation.lower()
    assert error.summary is left and error.kind == "incomplete"


def test_incomplete_error_for_refused_pods_says_nothing_was_evicted():
    error = DrainIncomplete(summary(refused=[{"pod": "apps/bare", "reasons": ["not managed (use --force)"]}]))
    assert "apps/bare: refused: not managed (use --force)" in str(error)
    assert "Nothing was evicted" in error.recommendation


def test_an_interrupted_drain_says_what_was_done_and_how_to_undo_it():
    keys = [f"ns/p{i}" for i in range(12)]
    interrupted = DrainInterrupted("wasi", ["n0", "n1"], UNDO, EvictionInterrupted(keys, []))
    text = str(interrupted)
    assert "stay cordoned" in text and "n0, n1" in text and "12 pod(s): ns/p0" in text and "and 2 more" in text
    assert "Not evicted yet: none" in text
    assert interrupted.recommendation == (f"Run the same drain command again to carry on, or '{UNDO}' to make the "
                                          "nodes schedulable again.")
    assert "may be cordoned; no pod was evicted" in str(DrainInterrupted("wasi", ["n0"], UNDO))
    assert isinstance(interrupted, MigrationInterrupted) and isinstance(interrupted, KeyboardInterrupt)


def test_kinds_give_the_exit_codes_the_cli_had():
    assert PoolHasNoNodes("x").kind == "not_found" and Forbidden("x").kind == "forbidden"
    assert EvictionInterrupted([], []).kind == "interrupted"
