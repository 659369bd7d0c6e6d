"""ARM error bodies (`{"error": {"code", "message", "target"?}}`) and the messages the real services use.

Messages marked *verified* are copied from public issue threads quoting the live service; the others are close
paraphrases (the exact wording was not found) and are flagged so tests do not pin them.
"""
from __future__ import annotations

NOT_FOUND_FIX = "For more details please go to https://aka.ms/ARMResourceNotFoundFix"


class ArmError(Exception):
    """Raised by handlers; the server turns it into an ARM error response."""

    def __init__(self, status: int, code: str, message: str, target: str | None = None, headers=None):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.target = status, code, message, target
        self.headers = dict(headers or {})

    def body(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.target:
            error["target"] = self.target
        return {"error": error}


def resource_not_found(resource_type: str, name: str, resource_group: str) -> ArmError:
    # *verified* wording (ARM front door), e.g. az aks show on a missing cluster.
    return ArmError(404, "ResourceNotFound",
                    f"The Resource '{resource_type}/{name}' under resource group '{resource_group}' was not found. "
                    + NOT_FOUND_FIX)


def resource_group_not_found(resource_group: str) -> ArmError:
    return ArmError(404, "ResourceGroupNotFound", f"Resource group '{resource_group}' could not be found.")


def subscription_not_found(subscription: str) -> ArmError:
    return ArmError(404, "SubscriptionNotFound", f"The subscription '{subscription}' could not be found.")


def authorization_failed(action: str, scope: str, object_id: str) -> ArmError:
    return ArmError(403, "AuthorizationFailed",
                    f"The client '{object_id}' with object id '{object_id}' does not have authorization to perform "
                    f"action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, "
                    "please refresh your credentials.")


def invalid_parameter(target: str) -> ArmError:
    # *verified* (Azure/AKS#3300, Azure/azure-cli#22442): AKS names the field and links the naming rules.
    return ArmError(400, "InvalidParameter",
                    f"The value of parameter {target} is invalid. Please see https://aka.ms/aks-naming-rules for "
                    "more details.", target=target)


def wasi_retired() -> ArmError:
    # Paraphrase: the API still accepts the enum value, the service refuses new WASI pools since the retirement.
    return ArmError(400, "InvalidParameter",
                    "WASI node pools are retired and can no longer be created: workloadRuntime 'WasmWasi' is not "
                    "supported for new agent pools. Use a standard node pool with SpinKube instead.",
                    target="agentPoolProfile.workloadRuntime")


def operation_in_progress(state: str) -> ArmError:
    # *verified* wording (Azure/terraform-azurerm-avm-ptn-aks-production#25).
    return ArmError(409, "OperationNotAllowed",
                    f"Operation is not allowed: Another operation ({state}) is in progress, please wait for it to "
                    "finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details")


def last_system_pool(pool: str) -> ArmError:
    # Paraphrase built on the documented rule ("A cluster must have at least one 'System' Agent Pool at all times").
    return ArmError(400, "OperationNotAllowed",
                    f"Cannot delete agent pool '{pool}': a cluster must have at least one 'System' Agent Pool at all "
                    "times.")


def precondition_failed(header: str, value: str) -> ArmError:
    # Paraphrase: ARM's RPC names the status (412) and code (PreconditionFailed) for a failed conditional request.
    return ArmError(412, "PreconditionFailed",
                    f"The condition '{header}: {value}' of the request is not met by the resource as it is now.")


def property_change_not_allowed(prop: str) -> ArmError:
    return ArmError(400, "PropertyChangeNotAllowed", f"Changing property '{prop}' is not allowed.", target=prop)


def local_accounts_disabled() -> ArmError:
    # *verified* wording (azure-aks-docs articles/aks/local-accounts.md).
    return ArmError(400, "BadRequest",
                    "Getting static credential isn't allowed because this cluster is set to disable local accounts.")


def missing_api_version() -> ArmError:
    return ArmError(400, "MissingApiVersionParameter",
                    "The api-version query parameter (?api-version=) is required for all requests.")


def unsupported(method: str, path: str) -> ArmError:
    # Not an ARM code on purpose: a test seeing it knows the emulator (not the extension) lacks the endpoint.
    return ArmError(404, "EmulatorUnsupportedPath",
                    f"The emulator does not implement {method} {path}. If the extension really needs this call, "
                    "add it to tests/emulator.")
