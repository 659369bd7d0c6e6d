"""Bookkeeping of the Evictor's coordinating loop: pure state, no I/O, owned by one thread.

- ``due``: a timer heap of pods waiting for their next eviction attempt (a pod in back-off never holds a worker);
- ``waiting``: evicted (or already terminating) pods still on their node, by UID, until a node poll misses them;
- ``gates``: one per PodDisruptionBudget that has answered 429. While a pod covered by a closed budget is being
  tried (the "probe"), the other pods of that budget wait; the probe's answer reopens the gate at once (evicted)
  or after a back-off (429 again). So a budget that allows no disruption costs one request per back-off, not one
  per blocked pod - the API server is not flooded with 429s while replacements start elsewhere.
"""

import heapq
import itertools
import math
from dataclasses import dataclass, field
from typing import Optional

from azext_wasimig.drain import filters

PROBING = math.inf   # a gate's "not before" while its probe is in flight: released by the probe's answer


@dataclass(eq=False)   # compared by identity: two records are never the same pod's way
class PodProgress:
    """One pod's way through the drain: queued -> terminating -> gone | failed."""
    decision: filters.PodDecision
    state: str = field(init=False)
    attempts: int = 0
    status: Optional[int] = None     # the last HTTP status an eviction of it got
    message: str = ""                # and the server's words with it
    pdbs: Optional[list] = None      # names of the budgets that blocked it, from its first 429
    grant_checked: bool = False      # whether its first 429 was looked at for an earlier, unfinished grant

    def __post_init__(self):
        self.state = "terminating" if self.decision.action == filters.WAIT else "queued"

    @property
    def pod(self):
        return self.decision.pod

    @property
    def key(self):
        return self.decision.key

    @property
    def node(self):
        return self.decision.node

    @property
    def uid(self):
        return self.decision.uid

    @property
    def namespace(self):
        return self.pod["metadata"]["namespace"]

    def budget_keys(self):
        return {f"{self.namespace}/{name}" for name in self.pdbs or ()}


class EvictionLoop:
    def __init__(self, pods):
        self.seq = itertools.count()   # tie-breaker for the heap (pods do not compare)
        self.due, self.waiting, self.next_poll, self.running, self.gates = [], {}, {}, {}, {}
        self.poll_errors = {}          # node -> (time of its first failed list in a row, last error)
        for pod in pods:
            if pod.state == "terminating":
                self.await_gone(pod)
            else:
                self.schedule(pod, 0.0)

    # --- evictions and budget gates -------------------------------------------------------------------------

    def schedule(self, pod, when):
        heapq.heappush(self.due, (when, next(self.seq), pod))

    def pop_startable(self, now):
        """The next pod due now whose budgets are open (its own attempt then closes them), or None. Pods behind a
        closed gate go back to the heap at the gate's time."""
        while self.due and self.due[0][0] <= now:
            pod = heapq.heappop(self.due)[2]
            gate = max((self.gates[k][0] for k in pod.budget_keys() if k in self.gates), default=0.0)
            if gate <= now:
                for key in pod.budget_keys():
                    self.gates.setdefault(key, [0.0, 0])[0] = PROBING
                return pod
            self.schedule(pod, gate)
        return None

    def failures(self, pod):
        """How often the pod's budgets (or the pod itself, before its budgets are known) were refused in a row."""
        return max([pod.attempts] + [self.gates[k][1] for k in pod.budget_keys() if k in self.gates])

    def reopen(self, pod, when, refused):
        """After an answer for ``pod``: its budgets open at ``when``; pods parked behind the probe come due then."""
        keys = pod.budget_keys()
        for key in keys:
            gate = self.gates.setdefault(key, [0.0, 0])
            gate[0], gate[1] = when, gate[1] + 1 if refused else 0
        parked = [i for i, (t, _, p) in enumerate(self.due) if t == PROBING and p.budget_keys() & keys]
        for i in parked:
            self.due[i] = (when,) + self.due[i][1:]
        if parked:
            heapq.heapify(self.due)

    # --- waiting until evicted pods are gone ----------------------------------------------------------------

    def await_gone(self, pod):
        pod.state = "terminating"
        self.waiting.setdefault(pod.node, {})[pod.uid] = pod

    def settle(self, node, present_uids):
        """Mark the node's waited-for pods whose UID is no longer present as gone; returns them."""
        gone = [pod for uid, pod in self.waiting.get(node, {}).items() if uid not in present_uids]
        for pod in gone:
            pod.state = "gone"
            del self.waiting[node][pod.uid]
        return gone

    # --- scheduling the loop --------------------------------------------------------------------------------

    def unsettled(self):
        return bool(self.due or self.running or any(self.waiting.values()))

    def evictions_running(self):
        return sum(1 for kind, _ in self.running.values() if kind == "evict")

    def polling(self):
        return {item for kind, item in self.running.values() if kind == "poll"}

    def nodes_to_poll(self, now):
        busy = self.polling()
        return [n for n, uids in self.waiting.items() if uids and n not in busy and self.next_poll.get(n, 0.0) <= now]

    def next_wakeup(self, now, deadline, max_parallel):
        """When something can next be started: a due retry (if a slot is free), a node's poll, or the deadline."""
        moments = [deadline]
        if self.due and self.evictions_running() < max_parallel:
            moments.append(self.due[0][0])
        busy = self.polling()
        moments += [self.next_poll.get(n, now) for n, uids in self.waiting.items() if uids and n not in busy]
        return min(moments)
