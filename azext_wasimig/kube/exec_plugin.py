"""Exec credential plugins named in a kubeconfig (kubelogin, or any ``users[].user.exec`` command) run as kubectl
runs them - the kubeconfig decides what runs - but bounded:

- with standard input closed: a plugin that prompts (an interactive kubelogin, a password prompt) gets end of
  file at once instead of waiting on a terminal nobody types into, or on the input of a pipeline;
- with a time limit (``WASIMIG_EXEC_PLUGIN_TIMEOUT`` seconds, default 60): a plugin still running then (a device
  code sign-in nobody completes) is stopped with its process group, and the loader reports the failure.

The kubernetes client's own ``ExecProvider`` still does everything else (ExecCredential request and response,
environment, cluster info, refresh on expiry): only the ``Popen`` it starts is replaced, by one with those two
limits (``install``).
"""

import os
import signal
import subprocess
import types

TIMEOUT_ENV = "WASIMIG_EXEC_PLUGIN_TIMEOUT"
DEFAULT_TIMEOUT = 60.0
_REAP_SECONDS = 5


def timeout_seconds():
    """The limit in force: ``WASIMIG_EXEC_PLUGIN_TIMEOUT`` when it is a positive number, else the default."""
    try:
        value = float(os.environ.get(TIMEOUT_ENV, ""))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


class BoundedPopen(subprocess.Popen):
    """``subprocess.Popen`` for an exec plugin: stdin from /dev/null, its own process group, and a
    ``communicate()`` that stops the plugin past ``timeout_seconds()``."""

    def __init__(self, args, **kwargs):
        kwargs["stdin"] = subprocess.DEVNULL
        if os.name == "posix":
            kwargs["start_new_session"] = True   # so a timeout stops what the plugin started too (kubelogin -> az)
        super().__init__(args, **kwargs)

    def communicate(self, input=None, timeout=None):  # pylint: disable=redefined-builtin
        limit = timeout_seconds() if timeout is None else timeout
        try:
            return super().communicate(input, timeout=limit)
        except subprocess.TimeoutExpired:
            self._stop()
            from kubernetes.config.config_exception import ConfigException
            command = os.path.basename(str(self.args[0] if isinstance(self.args, (list, tuple)) else self.args))
            raise ConfigException(
                f"exec: {command} did not finish within {limit:g} seconds and was stopped (is it waiting for an "
                f"interactive sign-in? It gets no terminal input here; {TIMEOUT_ENV} sets the limit)") from None

    def _stop(self):
        try:
            if os.name == "posix":
                os.killpg(self.pid, signal.SIGKILL)
            else:
                self.kill()
        except OSError:
            pass   # already gone
        try:
            super().communicate(timeout=_REAP_SECONDS)
        except subprocess.TimeoutExpired:
            pass   # a grandchild outside the group holds the pipes: give up on them, the plugin itself is dead


def install():
    """Make the kubernetes client's ExecProvider start plugins with ``BoundedPopen`` (idempotent). Its module looks
    ``subprocess.Popen`` up when a plugin runs, so this covers first runs and refreshes alike: it is given the
    ``subprocess`` module's names with ``Popen`` replaced, the real module stays as it is for everyone else."""
    from kubernetes.config import exec_provider
    if getattr(exec_provider.subprocess, "Popen", None) is not BoundedPopen:
        exec_provider.subprocess = types.SimpleNamespace(**{**vars(subprocess), "Popen": BoundedPopen})
