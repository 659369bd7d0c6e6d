"""The registry login a Spin app needs inside its ACI container group (pure, no SDK).

ACI's ``imageRegistryCredentials`` cover only the images ACI itself pulls (the Spin runtime's image). The app's
artifact is pulled by ``spin up -f`` inside the container, so its registry's login is delivered where Spin reads
it: a Docker ``config.json`` in a secret volume, mounted read-only, with ``DOCKER_CONFIG`` naming the directory.
Never as an environment value or an argument (ACI shows commands in clear; a secure env value would still not be
a file Spin reads).

What Spin does (checked in its source, spinframework/spin, formerly fermyon/spin):
- ``spin up -f REF`` loads a registry app through ``spin_oci::Client::pull`` (crates/oci/src/client.rs), which
  takes its credentials from ``Client::auth``.
- ``Client::auth`` first calls ``AuthConfig::get_auth_from_default`` (crates/oci/src/auth.rs), which reads
  ``$XDG_CONFIG_HOME/fermyon/registry-auth.json`` (written only by ``spin registry login``). Without that file,
  or without an entry for the registry, it returns an error ("no credentials stored for ..."), and ``auth``
  falls back to ``docker_credential::get_credential(server)``; if that fails too, the pull is anonymous.
  ``server`` is oci-client's ``Reference::resolve_registry()`` without a trailing '/': the host as written,
  Docker Hub as ``index.docker.io`` (``registry-1.docker.io`` in older oci-distribution releases).
- The ``docker_credential`` crate (keirlawson/docker_credential, src/lib.rs ``get_credential`` and
  src/config.rs) opens ``$DOCKER_CONFIG/config.json``, else ``$HOME/.docker/config.json``, asks a
  ``credHelpers``/``credsStore`` helper if one is named, else decodes ``auths[server].auth`` (base64
  ``user:password``; older releases match the key exactly, newer ones also after stripping a scheme). Spin
  treats an identity token as no credential (anonymous).
So the file holds ``{"auths": {KEY: {"auth": base64(user:password)}}}`` under every key Spin may use
(``kube_values.docker_config_keys``), for the artifact registries only.
"""

import base64
import json

from azext_wasimig.prepare.kube_values import UnsupportedWorkload, docker_config

VOLUME, DIRECTORY, FILE = "wasimig-registry-login", "/run/wasimig/docker", "config.json"


def deliver(properties, artifacts, pull_secrets, notes):
    """Add to a group's ``properties`` the secret volume with the pull Secrets' login for the registries of
    ``artifacts`` (the images ``spin up -f`` pulls), its read-only mount and ``DOCKER_CONFIG`` in every container
    (each one runs Spin); a note for an artifact whose registry has no login while the pod names pull Secrets."""
    config, missing = docker_config(pull_secrets, artifacts)
    if pull_secrets:
        notes.extend(f"imagePullSecrets hold no login for the registry of {image}: 'spin up -f' pulls it "
                     "anonymously, so it must be public." for image in missing)
    if not config:
        return
    if any(volume["name"] == VOLUME for volume in properties.get("volumes", [])):
        raise UnsupportedWorkload(f"the pod has a volume named {VOLUME!r}, the name create-aci needs for the "
                                  "Spin artifact's registry login")
    encoded = base64.b64encode(json.dumps(config).encode("utf-8")).decode()
    properties.setdefault("volumes", []).append({"name": VOLUME, "secret": {FILE: encoded}})
    for container in properties["containers"]:
        props = container["properties"]
        env = [e for e in props.get("environmentVariables", []) if e["name"] != "DOCKER_CONFIG"]
        props["environmentVariables"] = env + [{"name": "DOCKER_CONFIG", "value": DIRECTORY}]
        props["volumeMounts"] = props.get("volumeMounts", []) + [
            {"name": VOLUME, "mountPath": DIRECTORY, "readOnly": True}]
