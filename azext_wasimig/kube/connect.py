"""Reach a cluster's API server: a kubeconfig (from ARM or a file) becomes a kubernetes ``ApiClient``, in memory.

Secrets never touch the disk and never reach a message or a log line:
- the kubeconfig is parsed in memory and handed to the client's ``KubeConfigLoader`` with a fresh
  ``Configuration`` (never the process-wide default, so nothing leaks into other code);
- inline TLS data (``certificate-authority-data``, ``client-certificate-data``, ``client-key-data``) is taken
  out before the loader sees it, because the loader would write it to temp files that live until the process
  exits. The CA goes to urllib3 as ``ca_cert_data`` (in memory); the client certificate and key are loaded into
  an ``ssl.SSLContext`` through an anonymous memfd (Linux; elsewhere a private temp file deleted at once);
- certificates returned by an exec plugin are written to temp files by the loader itself: they are read back
  and deleted right after loading (``_reclaim_loader_temp_files``).
A kubeconfig's exec plugin (``users[].user.exec``) runs, as it would for kubectl: with stdin closed and a time
limit (``exec_plugin``). Which cluster a kubeconfig may be used for is ``binding``'s business.
Errors are ``kube.errors`` types (the CLI prints only their message); they name files, lines, contexts and
server URLs, never tokens or keys.
"""

import base64
import binascii
import contextlib
import copy
import logging
import os
import shutil
import tempfile

from azext_wasimig.kube.errors import KubeServiceError, KubeUnauthorized, KubeconfigUnreadable, KubeconfigUnusable

KUBELOGIN = "kubelogin"
KUBELOGIN_INSTALL = ("install kubelogin: `az aks install-cli` (installs kubectl and kubelogin; run it with sudo "
                     "or pass --install-location/--kubelogin-install-location to a folder on PATH), or see "
                     "https://azure.github.io/kubelogin/install.html")
# Evictions run in parallel: keep enough pooled connections that urllib3 never drops one ("pool is full").
CONNECTION_POOL_SIZE = 32
USER_AGENT = "az-aks-wasi-migrate"


def kubeconfig_from_credentials(result, cluster_name, kind="user", kubelogin_login="azurecli"):
    """The first kubeconfig of ARM's credential answer (``arm.cluster_kubeconfig``) as a dict.

    ``kubelogin_login`` rewrites the login mode of its kubelogin users, like ``kubelogin convert-kubeconfig -l
    azurecli``: inside `az`, the signed-in az identity is the natural one (device-code prompts would interrupt the
    command). None keeps what ARM sent.
    """
    config = parse_kubeconfig(_first_kubeconfig(result, cluster_name),
                              source=f"the {kind} credentials of cluster '{cluster_name}'")
    if kubelogin_login:
        _set_kubelogin_login(config, kubelogin_login)
    return config


def _first_kubeconfig(result, name):
    kubeconfigs = getattr(result, "kubeconfigs", None) or []
    value = getattr(kubeconfigs[0], "value", None) if kubeconfigs else None
    if not value:
        raise KubeServiceError(f"Azure returned no kubeconfig for cluster '{name}'.")
    if isinstance(value, str):   # msrest-era SDKs gave base64 text; 41.x gives bytes
        value = base64.b64decode(value)
    return bytes(value).decode("utf-8")


def _set_kubelogin_login(config, login):
    """Point every kubelogin exec user at ``login`` mode; azurecli mode takes no client id."""
    for entry in config.get("users") or []:
        exec_ = ((entry or {}).get("user") or {}).get("exec") or {}
        if os.path.basename(str(exec_.get("command") or "")) != KUBELOGIN:
            continue
        exec_["args"] = _without_options(exec_.get("args") or [], ("--login", "-l", "--client-id")) + [
            "--login", login]


def _without_options(args, names):
    """``args`` minus the options ``names`` and their values (``--opt value`` or ``--opt=value``)."""
    kept, skip_next = [], False
    for arg in args:
        if skip_next:
            skip_next = False
        elif arg in names:
            skip_next = True
        elif not any(str(arg).startswith(name + "=") for name in names):
            kept.append(arg)
    return kept


def load_kubeconfig_file(path, context=None):
    """An ApiClient from a kubeconfig file the user already has (``--kubeconfig FILE [--context NAME]``)."""
    path = os.path.expanduser(path)
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as ex:
        raise KubeconfigUnreadable(f"Cannot read kubeconfig {path}: {getattr(ex, 'strerror', None) or ex}") from ex
    config = parse_kubeconfig(text, source=path)
    return api_client_from_kubeconfig(config, context, source=path,
                                      base_path=os.path.dirname(os.path.abspath(path)))


def parse_kubeconfig(text, source="kubeconfig"):
    """The kubeconfig as a dict; malformed YAML raises KubeconfigUnreadable naming the source, line and column.

    Only the parser's problem description is quoted, never the offending line (it might hold a token).
    """
    import yaml
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    try:
        config = yaml.safe_load(text)
    except yaml.MarkedYAMLError as ex:
        mark = ex.problem_mark or ex.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = " ".join(p for p in (ex.context, ex.problem) if p)
        raise KubeconfigUnreadable(f"Malformed kubeconfig {source}{where}: {what}") from None
    except yaml.YAMLError as ex:
        raise KubeconfigUnreadable(f"Malformed kubeconfig {source}: {type(ex).__name__}") from None
    if not isinstance(config, dict) or not isinstance(config.get("clusters"), list) \
            or not isinstance(config.get("contexts"), list):
        raise KubeconfigUnreadable(f"{source} is not a kubeconfig: it needs 'clusters' and 'contexts' lists.")
    return config


def api_client_from_kubeconfig(kubeconfig_text_or_dict, context=None, source="kubeconfig", base_path=None):
    """A kubernetes ApiClient for ``context`` (default: current-context) of a kubeconfig given as text or dict.

    ``base_path`` resolves relative file paths in the kubeconfig (the file's folder); the input is not changed.
    """
    config = (parse_kubeconfig(kubeconfig_text_or_dict, source) if isinstance(kubeconfig_text_or_dict, (str, bytes))
              else copy.deepcopy(kubeconfig_text_or_dict))
    name, cluster, user = _select_context(config, context, source)
    _check_auth_method(user, source, base_path)
    ca_data, cert_data, key_data = _take_inline_tls_data(cluster, user, source)
    configuration, reclaimed = _load_configuration(config, name, user, base_path, source)
    return _api_client(configuration, ca_data or reclaimed.get("ssl_ca_cert"),
                       cert_data or reclaimed.get("cert_file"), key_data or reclaimed.get("key_file"))


def _load_configuration(config, context_name, user, base_path, source):
    """A fresh Configuration filled by the client's own loader (token, exec plugin, files, proxy), and the TLS
    material the loader wrote to temp files, read back (those files are gone when this returns)."""
    from kubernetes import client
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.kube_config import KubeConfigLoader
    from azext_wasimig.kube import exec_plugin, rest
    exec_plugin.install()   # the kubeconfig's exec plugin, if any, runs now and on refresh: without stdin, bounded
    configuration = client.Configuration()
    configuration.connection_pool_maxsize = CONNECTION_POOL_SIZE
    configuration.retries = rest.urllib3_retries()   # re-sending is rest.call's decision alone
    before = set(_loader_temp_files().values())
    try:
        with _loader_errors() as errors:
            KubeConfigLoader(config_dict=config, active_context=context_name,
                             config_base_path=base_path or "").load_and_set(configuration)
    except ConfigException as ex:
        raise KubeconfigUnusable(f"Invalid kubeconfig {source} (context '{context_name}'): {ex}") from None
    finally:
        reclaimed = _reclaim_loader_temp_files(configuration, before)
    _check_exec_result(user, configuration, errors, reclaimed, source)
    return configuration, reclaimed


def _api_client(configuration, ca_data, cert_data, key_data):
    from kubernetes import client
    if ca_data:
        configuration.ssl_ca_cert, configuration.ca_cert_data = None, ca_data.decode("utf-8")
    api_client = client.ApiClient(configuration)
    api_client.user_agent = USER_AGENT
    if cert_data and key_data:
        api_client.rest_client.pool_manager.connection_pool_kw["ssl_context"] = _client_cert_context(
            cert_data, key_data, configuration)
    return api_client


def _select_context(config, context, source):
    """(context name, cluster dict, user dict) of the chosen context; the dicts are the ones in ``config``."""
    contexts = {c.get("name"): (c.get("context") or {}) for c in config["contexts"] if isinstance(c, dict)}
    name = context or config.get("current-context")
    available = ", ".join(sorted(str(n) for n in contexts)) or "none"
    if not name:
        raise KubeconfigUnusable(f"{source} has no current-context; pick one with --context (available: {available}).")
    if name not in contexts:
        raise KubeconfigUnusable(f"Context '{name}' is not in {source} (available: {available}).")
    cluster = _named_entry(config, "clusters", contexts[name].get("cluster"), source)
    user = _named_entry(config, "users", contexts[name].get("user"), source) if contexts[name].get("user") else {}
    if not cluster.get("server"):
        raise KubeconfigUnusable(f"Cluster '{contexts[name].get('cluster')}' in {source} has no server URL.")
    return name, cluster, user


def _named_entry(config, section, name, source):
    kind = section[:-1]
    for entry in config.get(section) or []:
        if isinstance(entry, dict) and entry.get("name") == name:
            if not isinstance(entry.get(kind), dict):
                raise KubeconfigUnusable(f"{kind.capitalize()} '{name}' in {source} has no '{kind}' section.")
            return entry[kind]
    raise KubeconfigUnusable(f"{source} names {kind} '{name}' in its context but has no such {kind}.")


def _check_auth_method(user, source, base_path):
    """Fail early, and clearly, on credentials this client cannot use."""
    provider = (user.get("auth-provider") or {}).get("name")
    if provider == "azure":
        raise KubeconfigUnusable(
            f"{source} uses the 'azure' auth-provider, removed in Kubernetes 1.26 and unsupported here.",
            recommendation="Convert it: `kubelogin convert-kubeconfig -l azurecli --kubeconfig FILE`.")
    command = str((user.get("exec") or {}).get("command") or "")
    if not command or _command_exists(command, base_path):
        return
    if os.path.basename(command) == KUBELOGIN:
        raise KubeconfigUnusable(
            f"{source} signs in with kubelogin (Microsoft Entra ID), but kubelogin is not on PATH.",
            recommendation=f"{KUBELOGIN_INSTALL}. Then run the command again.")
    raise KubeconfigUnusable(f"{source} needs the credential plugin '{command}', which is not on PATH.")


def _command_exists(command, base_path):
    if os.sep in command or (os.altsep and os.altsep in command):
        return os.path.isfile(os.path.join(base_path or os.getcwd(), command))
    return shutil.which(command) is not None


def _take_inline_tls_data(cluster, user, source):
    """Pop the ``*-data`` TLS fields (base64 PEM) so the loader does not write them to temp files."""
    return (_b64_field(cluster, "certificate-authority-data", source),
            _b64_field(user, "client-certificate-data", source),
            _b64_field(user, "client-key-data", source))


def _b64_field(section, key, source):
    value = section.pop(key, None)
    if not value:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise KubeconfigUnusable(f"{key} in {source} is not valid base64.") from None


def _loader_temp_files():
    from kubernetes.config import kube_config
    return getattr(kube_config, "_temp_files", {})  # the loader's registry of files it wrote (content -> path)


def _reclaim_loader_temp_files(configuration, before):
    """Read back and delete whatever temp files the loader wrote (exec-plugin certificates); returns
    {configuration attribute: bytes} for the ones the configuration pointed at, and clears those attributes."""
    registry = _loader_temp_files()
    written = {path for path in registry.values() if path not in before}
    reclaimed = {}
    for attribute in ("ssl_ca_cert", "cert_file", "key_file"):
        path = getattr(configuration, attribute, None)
        if path in written:
            with open(path, "rb") as f:
                reclaimed[attribute] = f.read()
            setattr(configuration, attribute, None)
    for key in [k for k, path in registry.items() if path in written]:
        with contextlib.suppress(OSError):
            os.remove(registry.pop(key))
    return reclaimed


@contextlib.contextmanager
def _loader_errors():
    """Collect (and keep off the console) what the loader logs instead of raising - an exec plugin's failure."""
    messages = []

    def keep(record):
        if record.module == "kube_config" and record.levelno >= logging.ERROR:
            messages.append(record.getMessage())
            return False
        return True

    root = logging.getLogger()
    root.addFilter(keep)
    try:
        yield messages
    finally:
        root.removeFilter(keep)


def _check_exec_result(user, configuration, errors, reclaimed, source):
    if not user.get("exec") or "BearerToken" in configuration.api_key or "cert_file" in reclaimed:
        return
    command = os.path.basename(str(user["exec"].get("command")))
    detail = "; ".join(errors) or "it returned no token or client certificate"
    advice = ("For kubelogin in azurecli mode, sign in again with `az login`; for other modes see "
              "`kubelogin --help`." if command == KUBELOGIN else f"Run {command} yourself to see why.")
    raise KubeUnauthorized(f"The credential plugin '{command}' of {source} failed: {detail}", recommendation=advice)


def _client_cert_context(cert_pem, key_pem, configuration):
    """An SSLContext holding the client certificate, loaded without leaving the key on any filesystem."""
    import ssl
    from urllib3.util.ssl_ import create_urllib3_context
    verify = configuration.verify_ssl
    context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED if verify else ssl.CERT_NONE)
    if verify and not (configuration.ca_cert_data or configuration.ssl_ca_cert):
        context.load_default_certs()   # urllib3 skips this for a context it did not create
    with _in_memory_file(cert_pem) as cert_path, _in_memory_file(key_pem) as key_path:
        context.load_cert_chain(cert_path, key_path)
    return context


@contextlib.contextmanager
def _in_memory_file(data):
    """A path reading as ``data``: an anonymous memfd on Linux (in RAM, gone when closed); elsewhere a 0600 temp
    file removed as soon as the caller is done (``ssl`` can load certificates only from paths)."""
    if hasattr(os, "memfd_create") and os.path.isdir("/proc/self/fd"):
        fd = os.memfd_create("wasimig-tls", os.MFD_CLOEXEC)
        try:
            with os.fdopen(os.dup(fd), "wb") as f:
                f.write(data)
            yield f"/proc/self/fd/{fd}"
        finally:
            os.close(fd)
        return
    fd, path = tempfile.mkstemp(prefix="wasimig-tls-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        yield path
    finally:
        os.remove(path)


def server_of(api_client):
    return api_client.configuration.host


def check_reachable(api_client):
    """The server's version dict (GET /version); a clear error naming the server URL when it cannot be used."""
    from azext_wasimig.kube import rest
    try:
        return rest.call(api_client, "GET", "/version", timeout=(10, 20))
    except Exception as ex:  # pylint: disable=broad-except
        raise rest.api_error(ex, "checking that the API server answers", server_of(api_client)) from ex
