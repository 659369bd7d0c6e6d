"""The Evictor carries out a DrainPlan through the Eviction API, with kubectl drain's semantics
(k8s.io/kubectl/pkg/drain/drain.go), concurrently across nodes and pods.

- The eviction group/version comes from discovery, as in kubectl's CheckEvictionSupport: ``GET /api/v1``, resource
  ``pods/eviction`` -> ``policy/v1`` when the server has it, else ``policy/v1beta1`` (servers before 1.22).
- Pods are only ever evicted, never deleted: the API server refuses an eviction a PodDisruptionBudget does not
  allow (429), and we retry with back-off until the deadline. 404 means the pod is already gone.
- One coordinating thread owns all state (evict_state.py); a bounded pool runs the HTTP calls. A pod waiting out a
  429 back-off sits in a timer heap, not in a worker, so blocked pods never starve the others; the pods of a budget
  that said 429 take turns (one probe at a time), so blocked pods do not flood the server.
- "Gone" means the evicted pod's UID is no longer on its node: one pod list per node every ``poll_interval``,
  not one GET per pod per second as kubectl does.
- A re-run after an interruption carries on: gone pods are not listed, terminating ones are only waited for.
"""

import random
import re
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from azext_wasimig.drain import filters, granted
from azext_wasimig.drain.errors import EvictionInterrupted, NoEvictionApi
from azext_wasimig.drain.evict_state import EvictionLoop, PodProgress
from azext_wasimig.kube import rest

EVICTION_SUBRESOURCE, EVICTION_KIND = "pods/eviction", "Eviction"
EVICT_PERMISSION = "`create` on `pods/eviction` (RBAC: apiGroups [\"\"], resources [\"pods/eviction\"])"
_BUDGET_IN_CAUSE = re.compile(r"disruption budget (\S+?)\s+needs", re.IGNORECASE)
# retried until the deadline; anything else fails that pod, as in kubectl (500 = e.g. "more than one PDB")
TRANSIENT_STATUSES = (429, 502, 503, 504)


def eviction_group_version(api_client):
    """'policy/v1' or 'policy/v1beta1' as discovery says (None when the server has no eviction subresource)."""
    for resource in rest.call(api_client, "GET", "/api/v1").get("resources") or []:
        if (resource.get("name") == EVICTION_SUBRESOURCE and resource.get("kind") == EVICTION_KIND
                and resource.get("group") and resource.get("version")):
            return f"{resource['group']}/{resource['version']}"
    return None


def eviction_body(pod, group_version, grace_period=None):
    meta = pod["metadata"]
    body = {"apiVersion": group_version, "kind": EVICTION_KIND,
            "metadata": {"name": meta["name"], "namespace": meta["namespace"]}}
    if grace_period is not None:
        body["deleteOptions"] = {"gracePeriodSeconds": grace_period}
    return body


class Evictor:
    def __init__(self, api_client, options, progress=None, clock=time.monotonic):
        self.api, self.options, self.tuning, self.clock = api_client, options, options.tuning, clock
        self.progress = NodeProgress(progress)
        self.group_version = None
        self._pdbs = {}                 # namespace -> PDB dicts (cached: only names are needed after the first look)

    # --- entry point ---------------------------------------------------------------------------------------

    def run(self, plan):
        """Evict what the plan says; returns the summary dict (see ``_summary``). Never raises for a slow or
        blocked drain; raises ForbiddenError at once when the identity may not evict, EvictionInterrupted on
        Ctrl-C."""
        started = self.clock()
        if plan.refused and not self.options.dry_run:
            return self._summary(plan, [], started)     # like kubectl: a refused pod stops the drain up front
        self.group_version = self._discover()
        if self.options.dry_run:
            return self._dry_run(plan, started)
        pods = [PodProgress(d) for d in plan.to_evict + plan.to_wait]
        loop = EvictionLoop(pods)
        self.progress.announce(plan)
        try:
            self._coordinate(loop, deadline=started + self.options.timeout)
        except KeyboardInterrupt:
            moved = [p for p in pods if p.decision.action == filters.EVICT and p.state in ("gone", "terminating")]
            raise EvictionInterrupted(sorted(p.key for p in moved),
                                      sorted(p.key for p in pods if p.state in ("queued", "failed"))) from None
        return self._summary(plan, pods, started, loop.poll_errors)

    def _discover(self):
        try:
            group_version = eviction_group_version(self.api)
        except Exception as ex:  # pylint: disable=broad-except
            raise rest.api_error(ex, "discovering the Eviction API", self.api.configuration.host) from ex
        if not group_version:
            raise NoEvictionApi("The API server has no pods/eviction subresource; refusing to delete pods "
                                "without PodDisruptionBudget checks.")
        return group_version

    # --- the coordinating loop -----------------------------------------------------------------------------

    def _coordinate(self, loop, deadline):
        with ThreadPoolExecutor(max_workers=max(1, self.tuning.max_parallel),
                                thread_name_prefix="wasimig-evict") as pool:
            try:
                while loop.unsettled():
                    now = self.clock()
                    if now >= deadline:
                        break
                    self._start_evictions(pool, loop, now)
                    self._start_polls(pool, loop, now)
                    timeout = max(0.0, loop.next_wakeup(now, deadline, self.tuning.max_parallel) - now)
                    if loop.running:
                        finished, _ = wait(loop.running, timeout=timeout, return_when=FIRST_COMPLETED)
                    else:
                        finished = ()
                        time.sleep(timeout)
                    for future in finished:
                        self._handle(loop, future)
            finally:
                for future in list(loop.running):   # in flight at the deadline (or on ^C): record what they did
                    if not future.cancel():
                        self._handle(loop, future)

    def _start_evictions(self, pool, loop, now):
        while loop.evictions_running() < self.tuning.max_parallel:
            pod = loop.pop_startable(now)
            if pod is None:
                return
            loop.running[pool.submit(self._evict_once, pod)] = ("evict", pod)

    def _start_polls(self, pool, loop, now):
        for node in loop.nodes_to_poll(now):
            loop.running[pool.submit(self._uids_on_node, node)] = ("poll", node)

    def _evict_once(self, pod):
        body = eviction_body(pod.pod, self.group_version, self.options.grace_period)
        meta = pod.pod["metadata"]
        try:
            rest.call(self.api, "POST", f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}/eviction",
                      body=body)
            return "evicted", None
        except rest.KubeApiError as ex:
            finished = self._finish_granted(pod) if ex.status == 429 and not pod.grant_checked else None
            return finished or (self._classify(ex), ex)
        except Exception as ex:  # pylint: disable=broad-except  # connection trouble: retry until the deadline
            if rest.is_connection_error(ex):
                return "retry", ex
            raise

    def _finish_granted(self, pod):
        """After the pod's first 429: an eviction of it granted earlier but never carried out (its client died
        mid-request, see granted.py) is finished now instead of waiting two minutes for the disruption controller.
        ("finished", budgets), ("gone", budgets), or None: back off as usual."""
        pod.grant_checked = True
        try:
            budgets = granted.granting_budgets(pod.pod, self.pdbs_in(pod.namespace, refresh=True),
                                               self.group_version == "policy/v1")
        except Exception:  # pylint: disable=broad-except  # the budgets could not be read: the usual back-off
            return None
        outcome = granted.finish(self.api, pod.pod, self.options.grace_period) if budgets else None
        if outcome is None:
            return None
        pod.pdbs = budgets
        return ("finished" if outcome == "deleted" else "gone"), budgets

    @staticmethod
    def _classify(error):
        if error.status == 404:
            return "gone"
        # StatusCause.Type is serialised as "reason"
        if error.status == 403 and any(c.get("reason") == "NamespaceTerminating" for c in error.causes):
            return "retry"               # kubectl retries these too: the namespace controller deletes the pod
        if error.status in (401, 403):
            return "forbidden"           # the credentials will not get better by waiting: stop, naming why
        return "retry" if error.status in TRANSIENT_STATUSES else "failed"

    def _uids_on_node(self, node):
        items = rest.list_all(self.api, "/api/v1/pods", {"fieldSelector": f"spec.nodeName={node}"})
        return {(p.get("metadata") or {}).get("uid") for p in items}

    def _handle(self, loop, future):
        kind, item = loop.running.pop(future)
        if kind == "poll":
            self._after_poll(loop, item, future)
        else:
            self._after_eviction(loop, item, future)

    def _after_eviction(self, loop, pod, future):
        outcome, error = future.result()
        pod.attempts += 1
        if outcome != "retry":
            loop.reopen(pod, self.clock(), refused=False)
        if outcome == "evicted":
            loop.await_gone(pod)
        elif outcome == "finished":
            self.progress(f"{pod.node}: {pod.key} had an eviction granted earlier that never deleted it (budget "
                          f"{', '.join(error)} counted it as disrupted: the client that asked stopped mid-request); "
                          "deleted it as that eviction would have")
            loop.await_gone(pod)
        elif outcome == "gone":
            pod.state = "gone"
            self.progress.gone(pod.node, 1)
        elif outcome == "forbidden":
            raise rest.api_error(error, f"evicting pod {pod.key}", self.api.configuration.host,
                                 EVICT_PERMISSION)
        elif outcome == "failed":
            pod.state, pod.status, pod.message = "failed", error.status, error.server_message or str(error)
            self.progress(f"{pod.node}: eviction of {pod.key} failed: HTTP {pod.status} {pod.message}")
        else:
            self._retry_later(loop, pod, error)

    def _retry_later(self, loop, pod, error):
        pod.status = getattr(error, "status", None)
        pod.message = getattr(error, "server_message", None) or rest.describe_connection_error(error)
        if pod.status == 429 and pod.pdbs is None:
            pod.pdbs = self.blocking_pdbs(pod.pod, error)
            self.progress(f"{pod.node}: {pod.key} is blocked by PodDisruptionBudget "
                          f"{', '.join(pod.pdbs) or '(none found)'}; retrying until the drain timeout")
        delay = min(self.tuning.retry_max, self.tuning.retry_initial * 2 ** min(loop.failures(pod) - 1, 10))
        when = self.clock() + max(delay, getattr(error, "retry_after", None) or 0) * random.uniform(0.8, 1.2)
        loop.reopen(pod, when, refused=True)
        loop.schedule(pod, when)

    def _after_poll(self, loop, node, future):
        now = self.clock()
        loop.next_poll[node] = now + self.tuning.poll_interval
        try:
            present = future.result()
        except Exception as ex:  # pylint: disable=broad-except  # retried at the next interval, for a while
            self._poll_failed(loop, node, ex, now)
            return
        loop.poll_errors.pop(node, None)
        self.progress.gone(node, len(loop.settle(node, present)))

    def _poll_failed(self, loop, node, error, now):
        """A failed node list is tried again at the next interval; one failing for ``wait_error_limit`` seconds in
        a row (401/403 after a failed token refresh, a server that stays down) stops the drain, naming the cause,
        instead of waiting out the drain timeout. A bug (not an API or connection error) stops it at once."""
        if not isinstance(error, (rest.KubeApiError, rest.ListError)) and not rest.is_connection_error(error):
            raise error
        since, _ = loop.poll_errors.setdefault(node, (now, None))
        loop.poll_errors[node] = (since, rest.describe_error(error))
        if now - since >= self.tuning.wait_error_limit:
            rest.raise_api_error(error, f"listing the pods of node {node} to see which evicted pods are gone "
                                        f"(failing for {now - since:.0f} s)", self.api.configuration.host,
                                 "list pods in all namespaces")

    # --- PodDisruptionBudgets ------------------------------------------------------------------------------

    def pdbs_in(self, namespace, refresh=False):
        if refresh or namespace not in self._pdbs:
            path = f"/apis/{self.group_version}/namespaces/{namespace}/poddisruptionbudgets"
            try:
                items = rest.list_all(self.api, path)
            except Exception as ex:  # pylint: disable=broad-except  # "no PDBs" would claim nothing blocks
                rest.raise_api_error(ex, f"reading the PodDisruptionBudgets of namespace '{namespace}'",
                                     self.api.configuration.host,
                                     f"list poddisruptionbudgets (policy) in namespace '{namespace}'")
            for pdb in items:
                pdb.setdefault("metadata", {}).setdefault("namespace", namespace)
            self._pdbs[namespace] = items
        return self._pdbs[namespace]

    def blocking_pdbs(self, pod, error=None, refresh=False):
        """Names of the PDBs covering ``pod``: from the 429's causes, else by matching selectors."""
        names = {m.group(1) for c in (getattr(error, "causes", None) or [])
                 for m in [_BUDGET_IN_CAUSE.search(c.get("message") or "")] if m}
        if not names:
            namespace = pod["metadata"]["namespace"]
            names = {p["metadata"]["name"] for p in filters.pdbs_covering(
                pod, self.pdbs_in(namespace, refresh), empty_matches_all=self.group_version == "policy/v1")}
        return sorted(names)

    # --- outcome -------------------------------------------------------------------------------------------

    def _dry_run(self, plan, started):
        summary = self._summary(plan, [], started)
        summary["wouldEvict"], summary["blocked"] = [], []
        for decision in plan.to_evict:
            pdbs = filters.pdbs_covering(decision.pod, self.pdbs_in(decision.pod["metadata"]["namespace"], True),
                                         self.group_version == "policy/v1")
            row = {"pod": decision.key, "node": decision.node, "pdbs": [p["metadata"]["name"] for p in pdbs]}
            summary["wouldEvict"].append(dict(row, warnings=decision.reasons))
            closed = [p["metadata"]["name"] for p in pdbs if filters.disruptions_allowed(p) <= 0]
            if closed:
                summary["blocked"].append(dict(row, pdbs=closed, message="PodDisruptionBudget allows no "
                                                                         "disruption now (disruptionsAllowed 0)"))
        return summary

    def _summary(self, plan, pods, started, poll_errors=None):
        by_state = {}
        for pod in pods:
            by_state.setdefault(pod.state, []).append(pod)
        evicted = [p for p in by_state.get("gone", []) if p.decision.action == filters.EVICT]
        waited = [p for p in by_state.get("gone", []) if p.decision.action == filters.WAIT]
        queued = by_state.get("queued", [])
        blocked = [p for p in queued if p.status == 429]
        summary = {
            "dryRun": self.options.dry_run,
            "evictionApi": self.group_version,
            "evicted": sorted(p.key for p in evicted),
            "skipped": ([{"pod": d.key, "node": d.node, "reason": "; ".join(d.reasons)} for d in plan.skipped]
                        + [{"pod": p.key, "node": p.node, "reason": "was already terminating; now gone"}
                           for p in waited]),
            "refused": [{"pod": d.key, "node": d.node, "reasons": d.reasons} for d in plan.refused],
            "blocked": [{"pod": p.key, "node": p.node, "pdbs": p.pdbs or self.blocking_pdbs(p.pod),
                         "message": p.message, "attempts": p.attempts} for p in blocked],
            "failed": [{"pod": p.key, "node": p.node, "status": p.status, "message": p.message}
                       for p in by_state.get("failed", [])],
            "timedOut": [{"pod": p.key, "node": p.node, "reason": _timeout_reason(p, self.options, poll_errors or {})}
                         for p in by_state.get("terminating", []) + [p for p in queued if p.status != 429]],
            "warnings": [{"pod": d.key, "warnings": d.reasons} for d in plan.to_evict if d.reasons],
        }
        summary["nodes"] = _node_rows(plan, pods)
        summary["complete"] = not any(summary[k] for k in ("refused", "blocked", "failed", "timedOut"))
        summary["elapsedSeconds"] = round(self.clock() - started, 2)
        return summary


def _timeout_reason(pod, options, poll_errors):
    if pod.state == "terminating" and pod.node in poll_errors:
        return f"evicted, but listing its node's pods kept failing until the drain timeout ({poll_errors[pod.node][1]})"
    if pod.state == "terminating":
        grace = "its own grace period" if options.grace_period is None else f"grace period {options.grace_period}s"
        return f"evicted, but still terminating when the drain timeout ran out ({grace})"
    last = f": last answer {pod.message}" if pod.message else ""
    return f"not evicted before the drain timeout{last}"


def _node_rows(plan, pods):
    state = {p.key: p.state for p in pods}
    rows = []
    for node in plan.nodes:
        mine = [d for d in plan.decisions if d.node == node]
        moving = [d for d in mine if d.action in (filters.EVICT, filters.WAIT)]
        gone = sum(1 for d in moving if state.get(d.key) == "gone")
        rows.append({"name": node, "pods": len(mine), "toMove": len(moving), "moved": gone,
                     "left": len(mine) - len(moving), "drained": gone == len(moving)})
    return rows


class NodeProgress:
    """Progress messages per node (``say(message)`` is the callback the caller passed, or nothing): how many pods
    each node has to move, and how many are gone."""

    def __init__(self, say=None):
        self.say = say or (lambda message: None)
        self._gone_and_total = {}       # node -> [pods gone, pods to move]

    def __call__(self, message):
        self.say(message)

    def announce(self, plan):
        for node in plan.nodes:
            mine = [d for d in plan.decisions if d.node == node]
            moving = sum(1 for d in mine if d.action in (filters.EVICT, filters.WAIT))
            self._gone_and_total[node] = [0, moving]
            self.say(f"{node}: {moving} pod(s) to evict, {len(mine) - moving} left in place"
                     + ("" if moving else "; drained"))

    def gone(self, node, count):
        gone_and_total = self._gone_and_total.get(node)
        if not count or not gone_and_total:
            return
        gone_and_total[0] += count
        gone, total = gone_and_total
        self.say(f"{node}: drained ({total} pod(s) gone)" if gone >= total else f"{node}: {gone}/{total} pods gone")
