"""Which container groups are wasimig's for a cluster: by the provenance tags, never by name alone."""

import re

import pytest

from azext_wasimig.decommission import aci_groups

CLUSTER = "/subscriptions/s/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/c"


def group(name, **tags):
    return {"name": name, "tags": tags}


OURS = {"wasimig.migratedFrom": "ns/Deployment/web", "wasimig.cluster": CLUSTER.lower(), "wasimig.nodepool": "wasi"}


def test_a_group_is_the_clusters_when_both_tags_say_so_in_any_letter_case():
    assert aci_groups.made_for_cluster(group("web-0", **OURS), CLUSTER)
    assert not aci_groups.made_for_cluster(group("web-0", **{**OURS, "wasimig.cluster": CLUSTER + "2"}), CLUSTER)
    assert not aci_groups.made_for_cluster(group("web-0", **{"wasimig.cluster": CLUSTER}), CLUSTER)
    assert not aci_groups.made_for_cluster(group("web-0", **OURS), None)


@pytest.mark.parametrize("tags, words", [
    ({}, "was not made by wasimig (it has no wasimig.migratedFrom tag)"),
    ({**OURS, "wasimig.cluster": "/other"}, "was made by wasimig for another cluster (/other)"),
    ({"wasimig.migratedFrom": "ns/Deployment/web"}, "names no cluster in its tags"),
])
def test_someone_elses_group_is_refused_naming_why(tags, words):
    with pytest.raises(aci_groups.NotMadeForCluster, match=re.escape(words)) as caught:
        aci_groups.require_made_for(group("web-0", **tags), "web-0", "rg-aci", CLUSTER)
    assert "Container group 'web-0' in resource group 'rg-aci'" in str(caught.value)


def test_no_group_at_all_is_fine_for_a_wait_on_deleted():
    aci_groups.require_made_for(None, "web-0", "rg-aci", CLUSTER)


class Model:
    def __init__(self, name, tags):
        self.name, self.tags = name, tags


class Client:
    def __init__(self, groups):
        self.groups, self.gets = groups, []

    def list_by_resource_group(self, _resource_group):
        return [Model(g["name"], g["tags"]) for g in self.groups]

    def get(self, _resource_group, name, cls=None):
        self.gets.append(name)
        return next(g for g in self.groups if g["name"] == name)


def test_the_reader_reads_whole_only_the_groups_of_the_move():
    client = Client([group("web-1", **OURS), group("web-0", **OURS), group("theirs-0"),
                     group("else-0", **{**OURS, "wasimig.cluster": "/x"}),
                     group("otherpool-0", **{**OURS, "wasimig.nodepool": "wasi2"})])
    assert [g["name"] for g in aci_groups.reader(client, "rg", CLUSTER, "wasi")()] == ["web-0", "web-1"]
    assert client.gets == ["web-0", "web-1"]
