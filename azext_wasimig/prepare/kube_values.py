"""Values a pod gets from Kubernetes, resolved from plain objects (pure, no client).

ConfigMap and Secret references (``env``, ``envFrom``), the downward API, ``$(VAR)`` expansion,
image pull Secrets and resource quantities, for targets that leave Kubernetes (ACI). Whatever
cannot be given a value outside the cluster raises ``UnsupportedWorkload`` with the reason.

Downward API decision: the facts that stay true in ACI are given as static values:
``metadata.name`` (the new group's name), ``metadata.namespace``, the template's
``metadata.labels['k']``/``metadata.annotations['k']`` and ``spec.serviceAccountName``. Node
name, pod and host IPs, uid and ``resourceFieldRef`` have no value before the group exists.
"""

import base64
import json
import re

_QUANTITY = re.compile(r"^([0-9.]+(?:[eE][-+]?[0-9]+)?)([a-zA-Z]*)$")
_UNITS = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
          "Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "Pi": 2 ** 50, "Ei": 2 ** 60}
_REFERENCE = re.compile(r"\$\$|\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)")
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_STATIC_FIELDS = re.compile(r"^metadata\.(labels|annotations)\['([^']+)'\]$")
_DOCKER_HUB = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})


class UnsupportedWorkload(Exception):
    """ACI cannot express this workload; ``reason`` says what and why. Nothing is created for it."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def by_name(items):
    """Objects by ``metadata.name``, from a list of objects or an already keyed dict."""
    if isinstance(items, dict):
        return items
    return {(i.get("metadata") or {}).get("name"): i for i in items or ()}


def secret_text(secret, key, what):
    """A Secret's value as text (``data`` is base64 on the wire; manifests may use ``stringData``)."""
    if key in (secret.get("stringData") or {}):
        return secret["stringData"][key]
    try:
        return base64.b64decode((secret.get("data") or {})[key], validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as ex:
        raise UnsupportedWorkload(f"{what}: the Secret value is not base64-encoded UTF-8 text") from ex


def _lookup(store, ref, kind, what):
    """(value, found) of ``ref``'s key in a ConfigMap/Secret; a missing non-optional one fails."""
    obj = by_name(store).get(ref.get("name"))
    data = {**((obj or {}).get("data") or {}), **((obj or {}).get("stringData") or {})}
    if obj is None or ref["key"] not in data:
        if ref.get("optional"):
            return None, False
        raise UnsupportedWorkload(f"{what}: {kind} {ref.get('name')!r} key {ref['key']!r} does not exist")
    return (secret_text(obj, ref["key"], what) if kind == "Secret" else data[ref["key"]]), True


def _field_value(path, namespace, pod, what):
    pod = pod or {}
    static = {"metadata.name": pod.get("name"), "metadata.namespace": namespace,
              "spec.serviceAccountName": pod.get("serviceAccountName") or "default"}
    match = _STATIC_FIELDS.match(path or "")
    value = (pod.get(match.group(1)) or {}).get(match.group(2), "") if match else static.get(path)
    if value is None:
        raise UnsupportedWorkload(f"{what}: fieldRef {path} has no value in ACI before the group exists")
    return value


def expand(text, env):
    """kubelet's ``$(VAR)`` expansion; returns (text, used a secure value)."""
    secure = False

    def one(match):
        nonlocal secure
        if match.group(0) == "$$":
            return "$"
        found = env.get(match.group(1))
        if not found:
            return match.group(0)
        secure = secure or "secureValue" in found
        return found.get("value", found.get("secureValue"))
    return _REFERENCE.sub(one, text), secure


def _env_from(source, configmaps, secrets, what):
    kind, store, ref = (("ConfigMap", configmaps, source["configMapRef"]) if source.get("configMapRef")
                        else ("Secret", secrets, source.get("secretRef") or {}))
    obj = by_name(store).get(ref.get("name"))
    if obj is None:
        if ref.get("optional"):
            return []
        raise UnsupportedWorkload(f"{what}: envFrom {kind} {ref.get('name')!r} does not exist")
    keys = {**(obj.get("data") or {}), **(obj.get("stringData") or {})}
    field = "secureValue" if kind == "Secret" else "value"
    return [{"name": source.get("prefix", "") + k,
             field: secret_text(obj, k, what) if kind == "Secret" else keys[k]}
            for k in sorted(keys) if _ENV_NAME.match(source.get("prefix", "") + k)]


def resolve_env(container, namespace, configmaps, secrets, pod=None):
    """ACI ``environmentVariables`` for a k8s container: ``{name, value}`` or ``{name, secureValue}``.

    ``configmaps``/``secrets``: the namespace's objects (list, or dict by name). ``pod``: the
    static facts for the downward API, ``{name, labels, annotations, serviceAccountName}``.
    """
    env = {}
    for source in container.get("envFrom") or []:
        for item in _env_from(source, configmaps, secrets, f"container {container.get('name')}"):
            env[item["name"]] = item
    for var in container.get("env") or []:
        name, source = var["name"], var.get("valueFrom") or {}
        what = f"variable {name} of container {container.get('name')}"
        if "value" in var or not source:
            value, secure = expand(var.get("value") or "", env)
            if secure:
                raise UnsupportedWorkload(f"{what}: it embeds a Secret value in a plain value")
            env[name] = {"name": name, "value": value}
        elif source.get("configMapKeyRef") or source.get("secretKeyRef"):
            kind = "ConfigMap" if source.get("configMapKeyRef") else "Secret"
            ref = source.get("configMapKeyRef") or source["secretKeyRef"]
            value, found = _lookup(configmaps if kind == "ConfigMap" else secrets, ref, kind, what)
            if found:
                env[name] = {"name": name, ("value" if kind == "ConfigMap" else "secureValue"): value}
        elif source.get("fieldRef"):
            env[name] = {"name": name, "value": _field_value(source["fieldRef"].get("fieldPath"), namespace, pod, what)}
        else:
            raise UnsupportedWorkload(f"{what}: {', '.join(source)} has no ACI equivalent")
    return list(env.values())


def _server(url):
    return re.sub(r"^[a-z]+://", "", url.strip()).split("/")[0].lower()


def _docker_auths(secret):
    name = (secret.get("metadata") or {}).get("name")
    key = ".dockerconfigjson" if ".dockerconfigjson" in (secret.get("data") or {}) else ".dockercfg"
    try:
        config = json.loads(secret_text(secret, key, f"image pull Secret {name!r}"))
        return config.get("auths", config) or {}
    except (KeyError, ValueError, AttributeError) as ex:
        raise UnsupportedWorkload(f"image pull Secret {name!r} holds no readable docker config") from ex


def _user_password(auth):
    user, password = auth.get("username"), auth.get("password")
    if not (user and password) and auth.get("auth"):
        try:
            user, _, password = base64.b64decode(auth["auth"]).decode("utf-8").partition(":")
        except ValueError:
            return None, None
    return user, password


def _logins(pull_secrets):
    """{registry host: (username, password)} from image pull Secrets; the first Secret wins per host. Entries with
    only an identity token are skipped: ACI takes a user name and password, and Spin ignores identity tokens."""
    found = {}
    for secret in pull_secrets or ():
        for url, auth in _docker_auths(secret).items():
            user, password = _user_password(auth or {})
            if user and password:
                found.setdefault(_server(url), (user, password))
    return found


def registry_credentials(pull_secrets):
    """``imageRegistryCredentials`` ({server, username, password}) from image pull Secrets
    (``kubernetes.io/dockerconfigjson`` or the legacy ``dockercfg``)."""
    return [{"server": server, "username": user, "password": password}
            for server, (user, password) in _logins(pull_secrets).items()]


def docker_config(pull_secrets, images):
    """A Docker ``config.json`` (as a dict) holding the pull Secrets' login for the registries of ``images`` and
    no other, and the images whose registry has none; ``(None, missing)`` when no image has a login.

    For pullers that read Docker's config file (Spin: see ``aci_pull_login``). Each login is written as
    ``auth`` (base64 ``user:password``), the one field the Rust ``docker_credential`` crate reads, under every
    key such a reader may look the registry up by (``docker_config_keys``)."""
    logins, auths, missing = _logins(pull_secrets), {}, []
    for image in images:
        host = image_registry(image)
        login = next((pair for server, pair in logins.items() if same_registry(server, host)), None)
        if login is None:
            missing.append(image)
            continue
        token = base64.b64encode(":".join(login).encode("utf-8")).decode()
        auths.update({key: {"auth": token} for key in docker_config_keys(image)})
    return ({"auths": auths} if auths else None), missing


def docker_config_keys(image):
    """The ``auths`` keys a Docker-config reader may use for an image's registry. Spin passes oci-client's
    ``Reference::resolve_registry()``: the host as the reference writes it, and for Docker Hub ``index.docker.io``
    (``registry-1.docker.io`` in older oci-distribution releases); Docker's own tools use ``docker.io`` too."""
    host = image_registry(image)
    if host in _DOCKER_HUB:
        return sorted(_DOCKER_HUB)
    return list(dict.fromkeys([image.split("/")[0], host]))


def image_registry(image):
    """The registry host of an image reference (Docker Hub for bare names)."""
    first = image.split("/")[0]
    return first.lower() if "/" in image and ("." in first or ":" in first or first == "localhost") else "docker.io"


def same_registry(server, host):
    return server == host or (server in _DOCKER_HUB and host in _DOCKER_HUB)


def quantity(text):
    """A Kubernetes quantity (``250m``, ``128Mi``, ``1e9``, ``2``) as a float in base units."""
    match = _QUANTITY.match(str(text).strip())
    if not match or match.group(2) not in _UNITS:
        raise UnsupportedWorkload(f"resource quantity {text!r} is not understood")
    return float(match.group(1)) * _UNITS[match.group(2)]
