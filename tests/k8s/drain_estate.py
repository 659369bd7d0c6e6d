"""The cluster the drain e2e tests share (test_e2e_drain.py, test_e2e_faults.py): its ARM estate, served by the
fixture ``drain_subscription``. Not a test module itself."""

import pytest

from tests.conftest import serving_estate
from tests.k8s.harness import cluster_estate

SUB, RG, CLUSTER = "88888888-8888-8888-8888-888888888888", "rg-drain", "aks-drain"


def estate(wasi_pool="wasi", std_pool="std"):
    return cluster_estate(SUB, RG, CLUSTER, {"sys": ("System", 1, None), wasi_pool: ("User", 2, "WasmWasi"),
                                             std_pool: ("User", 2, None)})


@pytest.fixture(scope="module")
def drain_subscription(arm, az):
    with serving_estate(arm, az, estate()):
        yield
