"""What the decommission reads from the cluster: the pods on a pool's nodes (through the drain package's node
helpers), and whether restored workloads are back on a pool (verify's gates, read again until they pass)."""

from azext_wasimig import waiting
from azext_wasimig.drain import cordon
from azext_wasimig.errors import MigrationError


class RolloutTimedOut(MigrationError):
    kind = "incomplete"


def pods_on_pool(api_client, pool):
    """Every pod bound to a node of ``pool`` (none when the pool has no nodes left)."""
    names = [cordon.node_name(n) for n in cordon.nodes_of_pool(api_client, pool, require=False)]
    by_node = cordon.pods_on_nodes(api_client, names) if names else {}
    return [pod for name in names for pod in by_node.get(name, [])]


def wait_rolled_out(api_client, keys, pool, timeout, *, interval=2.0, progress=None):
    """Return once every workload of ``keys`` ((namespace, kind, name)) is rolled out by kubectl's rules with its
    pods on ``pool``: verify's ``rollouts`` and ``on-new-pool`` gates, the old pool in the new one's place.
    ``RolloutTimedOut`` naming each object and why, when ``timeout`` seconds pass."""
    def report(left):
        if progress and left:
            progress(f"Waiting for {len(left)} workload(s) to be available on node pool '{pool}'")
    try:
        waiting.wait_until(lambda: not_back(api_client, keys, pool), lambda left: not left, interval, timeout,
                           on_read=report)
    except waiting.WaitTimeout as ex:
        raise RolloutTimedOut(
            f"Not available again on node pool '{pool}' after {timeout} s:\n"
            + "\n".join(f"  {f['object']}: {f['reason']}" for f in ex.last),
            recommendation="Fix what each names and run rollback again (what is done stays done), or give a "
                           "longer --timeout.") from ex


def not_back(api_client, keys, pool):
    """The failures of the two gates, now (the cluster read once)."""
    from azext_wasimig.evaluate import read_cluster
    from azext_wasimig.verify import gates, scope
    back = scope.build(read_cluster(api_client), keys, "", pool)
    return [f for gate in (gates.rollouts(back), gates.on_new_pool(back, pool)) for f in gate["failures"]]
