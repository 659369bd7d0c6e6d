"""kube.connect: kubeconfig parsing in memory, contexts, exec plugins (kubelogin), malformed files, ARM credentials,
no secret on disk or in messages, and the unreachable-server error."""

import datetime
import json
import os
import socket
import stat
import tempfile
import textwrap

import pytest
import yaml
from azure.cli.core import azclierror

from azext_wasimig import arm
from azext_wasimig.kube import connect
from azext_wasimig.kube import errors as kube_errors
from tests.unit.kube.helpers import TOKEN, b64, kubeconfig


@pytest.fixture(scope="module")
def pem():
    """A throwaway self-signed certificate and key (PEM bytes), as a CA and as a client certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wasimig-test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


@pytest.fixture
def no_new_temp_files():
    """Fails the test if a file appears in the temp dir or in the kubernetes loader's temp-file registry."""
    from kubernetes.config import kube_config
    folder = tempfile.gettempdir()
    before, registry = set(os.listdir(folder)), dict(kube_config._temp_files)
    yield
    assert set(os.listdir(folder)) - before == set()
    assert kube_config._temp_files == registry


def test_token_kubeconfig_gives_a_client_with_host_and_bearer_token(no_new_temp_files):
    api = connect.api_client_from_kubeconfig(yaml.safe_dump(kubeconfig()))
    assert api.configuration.host == "https://10.0.0.1:443"
    assert api.configuration.api_key["BearerToken"] == f"Bearer {TOKEN}"
    assert api.user_agent == connect.USER_AGENT


def test_inline_tls_data_stays_in_memory(pem, no_new_temp_files):
    cert, key = pem
    api = connect.api_client_from_kubeconfig(kubeconfig(ca=cert, user={
        "client-certificate-data": b64(cert), "client-key-data": b64(key)}))
    configuration = api.configuration
    assert configuration.ca_cert_data == cert.decode() and configuration.ssl_ca_cert is None
    assert configuration.cert_file is None and configuration.key_file is None
    context = api.rest_client.pool_manager.connection_pool_kw["ssl_context"]
    assert context.cert_store_stats() is not None   # an SSLContext holding the client certificate


def test_the_input_dict_is_not_changed(pem):
    config = kubeconfig(ca=pem[0])
    snapshot = json.dumps(config, sort_keys=True)
    connect.api_client_from_kubeconfig(config)
    assert json.dumps(config, sort_keys=True) == snapshot


def test_context_selection_and_unknown_context():
    config = kubeconfig(contexts=[{"name": "main", "context": {"cluster": "aks", "user": "u"}},
                                  {"name": "other", "context": {"cluster": "aks", "user": "u"}}])
    assert connect.api_client_from_kubeconfig(config, context="other").configuration.host == "https://10.0.0.1:443"
    with pytest.raises(kube_errors.KubeconfigUnusable, match=r"Context 'nope' is not in my-file \(available: main, "
                                                         r"other\)"):
        connect.api_client_from_kubeconfig(config, context="nope", source="my-file")


def test_missing_current_context_asks_for_one():
    with pytest.raises(kube_errors.KubeconfigUnusable, match="--context"):
        connect.api_client_from_kubeconfig(kubeconfig(current=None))


def test_context_naming_a_missing_user_is_an_error():
    config = kubeconfig(contexts=[{"name": "main", "context": {"cluster": "aks", "user": "ghost"}}])
    with pytest.raises(kube_errors.KubeconfigUnusable, match="user 'ghost'"):
        connect.api_client_from_kubeconfig(config)


def test_malformed_yaml_file_error_names_file_and_line_but_not_the_content(tmp_path):
    path = tmp_path / "config"
    path.write_text(textwrap.dedent(f"""\
        apiVersion: v1
        users:
        - name: u
          user: {{token: {TOKEN}
        clusters: []
        """))
    with pytest.raises(kube_errors.KubeconfigUnreadable) as caught:
        connect.load_kubeconfig_file(str(path))
    message = str(caught.value)
    assert str(path) in message and "line 5" in message and TOKEN not in message


def test_yaml_that_is_not_a_kubeconfig(tmp_path):
    path = tmp_path / "config"
    path.write_text("- just\n- a list\n")
    with pytest.raises(kube_errors.KubeconfigUnreadable, match="is not a kubeconfig"):
        connect.load_kubeconfig_file(str(path))


def test_missing_file_is_a_file_error(tmp_path):
    with pytest.raises(kube_errors.KubeconfigUnreadable, match="Cannot read kubeconfig"):
        connect.load_kubeconfig_file(str(tmp_path / "absent"))


def test_relative_certificate_paths_resolve_against_the_kubeconfig_folder(tmp_path, pem):
    (tmp_path / "ca.crt").write_bytes(pem[0])
    config = kubeconfig()
    config["clusters"][0]["cluster"]["certificate-authority"] = "ca.crt"
    (tmp_path / "config").write_text(yaml.safe_dump(config))
    api = connect.load_kubeconfig_file(str(tmp_path / "config"))
    assert api.configuration.ssl_ca_cert == str(tmp_path / "ca.crt")


def test_bad_base64_in_tls_data():
    config = kubeconfig()
    config["clusters"][0]["cluster"]["certificate-authority-data"] = "not base64!"
    with pytest.raises(kube_errors.KubeconfigUnusable, match="certificate-authority-data"):
        connect.api_client_from_kubeconfig(config)


def test_azure_auth_provider_is_refused_with_the_conversion_hint():
    config = kubeconfig(user={"auth-provider": {"name": "azure", "config": {"access-token": TOKEN}}})
    with pytest.raises(kube_errors.KubeconfigUnusable) as caught:
        connect.api_client_from_kubeconfig(config)
    assert "convert-kubeconfig" in caught.value.recommendation and TOKEN not in str(caught.value)


def kubelogin_user(command="kubelogin"):
    return {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": command,
                     "args": ["get-token", "--login", "devicecode", "--server-id", "6dae42f8"]}}


def test_missing_kubelogin_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(kube_errors.KubeconfigUnusable) as caught:
        connect.api_client_from_kubeconfig(kubeconfig(user=kubelogin_user()))
    assert "kubelogin" in str(caught.value) and "az aks install-cli" in caught.value.recommendation


def test_other_missing_exec_plugin_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(kube_errors.KubeconfigUnusable, match="'gke-gcloud-auth-plugin'"):
        connect.api_client_from_kubeconfig(kubeconfig(user=kubelogin_user("gke-gcloud-auth-plugin")))


def fake_plugin(folder, status=None, exit_code=0, stderr=""):
    """An executable ``kubelogin`` in ``folder`` printing an ExecCredential with ``status``."""
    answer = folder / "answer.json"
    answer.write_text(json.dumps({"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
                                  "status": status or {}}))
    script = folder / "kubelogin"
    script.write_text(f"#!/bin/sh\necho '{stderr}' >&2\ncat '{answer}'\nexit {exit_code}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_exec_plugin_token_is_used(monkeypatch, tmp_path, no_new_temp_files):
    fake_plugin(tmp_path, {"token": TOKEN, "expirationTimestamp": "2999-01-01T00:00:00Z"})
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    api = connect.api_client_from_kubeconfig(kubeconfig(user=kubelogin_user()))
    assert api.configuration.api_key["BearerToken"] == f"Bearer {TOKEN}"


def test_exec_plugin_client_certificate_leaves_no_temp_file(monkeypatch, tmp_path, pem, no_new_temp_files):
    fake_plugin(tmp_path, {"clientCertificateData": pem[0].decode(), "clientKeyData": pem[1].decode()})
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    api = connect.api_client_from_kubeconfig(kubeconfig(user=kubelogin_user()))
    assert api.configuration.cert_file is None and api.configuration.key_file is None
    assert "ssl_context" in api.rest_client.pool_manager.connection_pool_kw


def test_failing_exec_plugin_is_a_clear_error(monkeypatch, tmp_path):
    fake_plugin(tmp_path, exit_code=1, stderr="AADSTS70043: The refresh token has expired")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(kube_errors.KubeUnauthorized, match="AADSTS70043") as caught:
        connect.api_client_from_kubeconfig(kubeconfig(user=kubelogin_user()))
    assert "az login" in caught.value.recommendation


class FakeCredentials:
    def __init__(self, value=None, error=None):
        self.value, self.error, self.calls = value, error, []

    def _answer(self, name, *args, **kwargs):
        self.calls.append((name, args, kwargs))
        if self.error:
            raise self.error
        return type("CredentialResults", (), {"kubeconfigs": [type("Credential", (), {"value": self.value})]})

    def list_cluster_user_credentials(self, *args, **kwargs):
        return self._answer("user", *args, **kwargs)

    def list_cluster_admin_credentials(self, *args, **kwargs):
        return self._answer("admin", *args, **kwargs)


@pytest.fixture(name="credentials_from")
def credentials_from_fixture(monkeypatch):
    """``credentials_from(fake)`` makes arm.cluster_kubeconfig talk to ``fake`` instead of ARM."""
    from azext_wasimig import _client_factory

    def use(fake):
        monkeypatch.setattr(_client_factory, "cf_managed_clusters", lambda _cli_ctx: fake)
        return fake
    return use


def test_arm_credentials_come_in_exec_format_unlogged_and_kubelogin_switches_to_azurecli(credentials_from):
    config = kubeconfig(user=kubelogin_user())
    config["users"][0]["user"]["exec"]["args"] += ["--client-id", "80faf920", "--tenant-id", "t1"]
    client = credentials_from(FakeCredentials(yaml.safe_dump(config).encode()))
    result = arm.cluster_kubeconfig(None, "rg", "aks1")
    assert client.calls == [("user", ("rg", "aks1"), {"format": "exec", "logging_enable": False})]
    assert result["users"][0]["user"]["exec"]["args"] == [
        "get-token", "--server-id", "6dae42f8", "--tenant-id", "t1", "--login", "azurecli"]


def test_arm_admin_credentials_unlogged(credentials_from):
    client = credentials_from(FakeCredentials(yaml.safe_dump(kubeconfig()).encode()))
    assert arm.cluster_kubeconfig(None, "rg", "aks1", admin=True)["users"][0]["user"]["token"] == TOKEN
    assert client.calls == [("admin", ("rg", "aks1"), {"logging_enable": False})]


def test_admin_credentials_with_local_accounts_disabled_is_a_clear_error(credentials_from):
    from azure.core.exceptions import HttpResponseError
    error = HttpResponseError(message="(BadRequest) Getting static credential isn't allowed because this cluster "
                                      "is set to disable local accounts.")
    error.status_code = 400
    credentials_from(FakeCredentials(error=error))
    with pytest.raises(azclierror.ValidationError, match="disables local accounts") as caught:
        arm.cluster_kubeconfig(None, "rg", "aks1", admin=True)
    assert "--admin" in caught.value.recommendations[0]


def test_arm_credentials_malformed_answer_names_the_cluster(credentials_from):
    credentials_from(FakeCredentials(b"clusters: [oops"))
    with pytest.raises(kube_errors.KubeconfigUnreadable, match="user credentials of cluster 'aks1'"):
        arm.cluster_kubeconfig(None, "rg", "aks1")


def test_unreachable_server_error_names_the_url_not_the_token():
    with socket.socket() as s:          # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    api = connect.api_client_from_kubeconfig(kubeconfig(server=f"http://127.0.0.1:{port}"))
    with pytest.raises(kube_errors.KubeUnreachable) as caught:
        connect.check_reachable(api)
    message = str(caught.value)
    assert f"http://127.0.0.1:{port}" in message and "connection refused" in message and TOKEN not in message
