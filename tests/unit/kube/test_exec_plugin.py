"""How a kubeconfig's exec credential plugin runs (kube.exec_plugin): no stdin, a time limit."""

import os
import subprocess

import pytest
from kubernetes.config.config_exception import ConfigException

from azext_wasimig.kube import connect, exec_plugin
from azext_wasimig.kube import errors as kube_errors
from tests.unit.kube.helpers import kubeconfig


def test_install_replaces_popen_for_the_kubernetes_client_only_and_once():
    from kubernetes.config import exec_provider
    exec_plugin.install()
    installed = exec_provider.subprocess
    exec_plugin.install()
    assert exec_provider.subprocess is installed, "a second install changes nothing"
    assert installed.Popen is exec_plugin.BoundedPopen and installed.PIPE == subprocess.PIPE
    assert subprocess.Popen is not exec_plugin.BoundedPopen, "the real subprocess module is left alone"


def test_a_plugin_gets_no_stdin():
    read_end, write_end = os.pipe()   # an input that never ends: it would block `cat` forever
    try:
        process = exec_plugin.BoundedPopen(["cat"], stdin=read_end, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                           universal_newlines=True)   # ExecProvider passes the terminal's
        assert process.communicate() == ("", "")
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_plugin_past_its_time_limit_is_stopped(monkeypatch, tmp_path):
    monkeypatch.setenv(exec_plugin.TIMEOUT_ENV, "0.5")
    process = exec_plugin.BoundedPopen(["sh", "-c", "sleep 60 & wait"], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, universal_newlines=True)
    with pytest.raises(ConfigException, match="sh did not finish within 0.5 seconds"):
        process.communicate()
    assert process.poll() is not None, "the plugin was stopped"


@pytest.mark.parametrize("value, seconds", [("", 60.0), ("7", 7.0), ("-1", 60.0), ("soon", 60.0)])
def test_the_time_limit_setting(monkeypatch, value, seconds):
    monkeypatch.setenv(exec_plugin.TIMEOUT_ENV, value)
    assert exec_plugin.timeout_seconds() == seconds


def test_a_hanging_plugin_in_a_kubeconfig_is_a_clear_error(monkeypatch, tmp_path):
    script = tmp_path / "slow-plugin"
    script.write_text("#!/bin/sh\nexec sleep 60\n")
    script.chmod(0o700)
    monkeypatch.setenv(exec_plugin.TIMEOUT_ENV, "0.5")
    user = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": str(script)}}
    with pytest.raises(kube_errors.KubeUnauthorized, match="slow-plugin did not finish within 0.5 seconds"):
        connect.api_client_from_kubeconfig(kubeconfig(user=user))
