"""Which cluster a --kubeconfig reaches (kube.binding)."""

import pytest

from azext_wasimig.kube import binding, connect
from tests.unit.kube.helpers import kubeconfig

SUB = "11111111-2222-3333-4444-555555555555"
CLUSTER = {"id": f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1",
           "name": "aks1",
           "properties": {"fqdn": "aks1-rg-111111-abc.hcp.westeurope.azmk8s.io",
                          "privateFQDN": "aks1-priv.abc.privatelink.westeurope.azmk8s.io",
                          "azurePortalFQDN": "aks1-rg-111111-abc.portal.hcp.westeurope.azmk8s.io",
                          "nodeResourceGroup": "MC_rg_aks1_westeurope"}}


def node(name, provider_id=None):
    return {"metadata": {"name": name}, "spec": {"providerID": provider_id} if provider_id else {}}


def vmss(sub=SUB, group="mc_rg_aks1_westeurope"):
    return (f"azure:///subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Compute/"
            "virtualMachineScaleSets/aks-wasi-12345678-vmss/virtualMachines/0")


@pytest.mark.parametrize("server", ["https://aks1-rg-111111-abc.hcp.westeurope.azmk8s.io:443",
                                    "https://AKS1-RG-111111-ABC.hcp.westeurope.azmk8s.io",
                                    "https://aks1-priv.abc.privatelink.westeurope.azmk8s.io:8443",
                                    "https://aks1-rg-111111-abc.portal.hcp.westeurope.azmk8s.io/"])
def test_the_clusters_own_host_names_prove_it_whatever_the_port(server):
    assert binding.server_host(server) in binding.cluster_hosts(CLUSTER)


@pytest.mark.parametrize("server", ["https://127.0.0.1:6443", "https://aks2-rg-111111-abc.hcp.westeurope.azmk8s.io",
                                    "https://aks1-rg-111111-abc.hcp.westeurope.azmk8s.io.evil.example", "not a url"])
def test_other_hosts_do_not(server):
    assert binding.server_host(server) not in binding.cluster_hosts(CLUSTER)


def test_provider_ids_are_read_case_insensitively_and_other_providers_ignored():
    assert binding.node_owner(node("n", vmss(SUB.upper(), "MC_RG_AKS1_WESTEUROPE"))) == (
        SUB, "mc_rg_aks1_westeurope")
    assert binding.node_owner(node("n", "kind://docker/kind/kind-worker")) is None
    assert binding.node_owner(node("n")) is None


def test_nodes_of_the_cluster_prove_it():
    binding.judge_nodes([node("a", vmss()), node("b", vmss(group="MC_rg_aks1_westeurope"))], CLUSTER, "F")


@pytest.mark.parametrize("nodes, words", [
    ([node("a", vmss()), node("b", vmss(sub="99999999-0000-0000-0000-000000000000"))],
     "F is not cluster 'aks1': its node b is in subscription 99999999"),
    ([node("a", vmss(group="mc_rg_other_westeurope"))], "resource group mc_rg_other_westeurope"),
    ([node("a"), node("b", "kind://docker/x")], "cannot be shown to be cluster 'aks1'"),
    ([], "it has no node of the pool"),
])
def test_a_node_of_another_cluster_or_no_proof_is_refused(nodes, words):
    with pytest.raises(binding.NotThisCluster, match=words):
        binding.judge_nodes(nodes, CLUSTER, "F")


def test_a_client_whose_server_is_the_clusters_needs_no_node_list():
    api = connect.api_client_from_kubeconfig(kubeconfig(server="https://aks1-rg-111111-abc.hcp.westeurope.azmk8s.io"))
    binding.require_cluster(api, CLUSTER, "wasi", ["sys", "wasi"], "F")   # no request: the server is unreachable from here
