"""The ACI edge of `create-aci`: read the container groups already there, create what is missing, wait.

Handed a container-groups client (``_client_factory.cf_container_groups``); azure-core errors become the domain's
errors or a workload's failure here. The decisions (bodies, clashes, re-run comparison, result rows) are ``aci``'s
and ``aci_spec``'s. Bodies hold Secret values: every PUT goes through ``_client_factory.call_unlogged``.
"""

from dataclasses import dataclass
from typing import Any, Callable

from azext_wasimig import waiting
from azext_wasimig.errors import AzureCallFailed, azure_call_failed
from azext_wasimig.prepare import aci_spec
from azext_wasimig.prepare.aci import Options, build_context, clash, ref_text, result


def create_all(client, resolved, sources, options, *, dry_run=False, no_wait=False, note=None,
               progress=waiting.no_progress):
    """One result per resolved workload (``aci.Workload``; see ``aci.result``): created, unchanged, wouldCreate or
    failed. ``sources``: each namespace's ConfigMaps, Secrets and Services (``kube.sources.read``)."""
    creation = _Creation(client, sources, options, dry_run=dry_run, no_wait=no_wait,
                         note=note or (lambda _message: None), progress=progress)
    return [creation.one(workload) for workload in resolved]


@dataclass(frozen=True)
class _Creation:
    """One create-aci run over its workloads, each on its own: a workload's failure never stops the others."""
    client: Any
    sources: dict
    options: Options
    dry_run: bool
    no_wait: bool
    note: Callable[[str], None]
    progress: Callable

    def one(self, workload):  # pylint: disable=too-many-return-statements
        key, obj, finding = workload
        options = self.options
        try:
            groups, notes = aci_spec.build(obj, build_context(obj, finding, self.sources, options))
        except aci_spec.UnsupportedWorkload as ex:
            return result(key, "failed", [], options,
                          reason=f"ACI cannot run it: {ex.reason}. Nothing was created for it.")
        for line in notes:
            self.note(f"{ref_text(key)}: {line}")
        names = [name for name, _ in groups]
        try:
            existing = {name: get_group(self.client, options.resource_group, name) for name in names}
        except AzureCallFailed as ex:   # e.g. no read access to the resource group: this workload fails, not others
            return result(key, "failed", names, options, reason=f"{ex} Nothing was created for it.", notes=notes)
        clashes = [c for c in (clash(n, b, existing[n], options) for n, b in groups if existing[n]) if c]
        if clashes:
            return result(key, "failed", names, options, reason="; ".join(clashes) + ". Nothing was created for it.",
                          notes=notes)
        todo = [(n, b) for n, b in groups if existing[n] is None or state_of(existing[n]) == "Failed"]
        if self.dry_run:
            shown = [{"name": n, **aci_spec.redact(b)} for n, b in groups]
            return {**result(key, "wouldCreate" if todo else "unchanged", names, options, notes=notes),
                    "containerGroups": shown}
        if not todo:
            return result(key, "unchanged", names, options, notes=notes)
        failure = self._create(todo)
        if failure:
            return result(key, "failed", names, options, reason=f"{failure} {self._what_exists(names)}", notes=notes)
        return result(key, "created", names, options, notes=notes)

    def _create(self, todo):
        """Start every PUT, then wait for each (unless --no-wait); the failure, worded, or None."""
        from azure.core.exceptions import AzureError
        from azext_wasimig._client_factory import call_unlogged
        from azext_wasimig.errors import service_message
        group = self.options.resource_group
        self.note(f"Creating container group(s) {', '.join(n for n, _ in todo)} in resource group '{group}'...")
        pollers, current = [], todo[0][0]
        polling = {"polling": False} if self.no_wait else {}   # azure-cli's sdk_no_wait: start, do not poll
        try:
            for current, body in todo:
                # the body holds Secret values: never in the --debug trace or az's log file
                pollers.append((current, call_unlogged(self.client.begin_create_or_update, group, current, body,
                                                       **polling)))
            if self.no_wait:
                return None
            for current, poller in pollers:
                waiting.wait_for_operation(poller, f"Creating container group '{current}'", self.progress)
        except AzureError as ex:
            return f"Creating container group '{current}' failed: {service_message(ex).rstrip('.')}."
        return None

    def _what_exists(self, names):
        """Exactly what exists now of a workload's groups, and the way out."""
        group_rg = self.options.resource_group
        states, found = [], False
        for name in names:
            try:
                group = get_group(self.client, group_rg, name)
                found = found or group is not None
                states.append(f"'{name}' exists ({state_of(group)})" if group else f"'{name}' does not exist")
            except Exception:  # pylint: disable=broad-except  # already failing: say what is known
                found = True
                states.append(f"'{name}' could not be read")
        if not found:
            return "Nothing was created for it."
        return (f"Now in resource group '{group_rg}': {', '.join(states)}. Run this command again to retry (it "
                f"re-sends groups left in state Failed), or delete them with 'az container delete -g {group_rg} "
                "-n NAME --yes'.")


def state_of(group):
    return (group.get("properties") or {}).get("provisioningState")


def get_group(client, resource_group, name):
    """The container group as the REST API serves it (camelCase JSON), or None when there is none."""
    from azure.core.exceptions import AzureError, ResourceNotFoundError
    try:
        return client.get(resource_group, name, cls=lambda response, _model, _headers: response.http_response.json())
    except ResourceNotFoundError:
        return None
    except AzureError as ex:
        raise azure_call_failed(ex, f"reading container group '{name}' in resource group '{resource_group}'") from ex
