"""The prepare phase: where the workloads are to go, made ready before anything moves.

``pool_spec`` builds the replacement agent pool's PUT body and ``pool_create`` sends it to AKS and waits;
``aci`` resolves workloads to Azure Container Instances groups (``aci_spec``, ``kube_values``, ``aci_pull_login``
build their bodies) and ``aci_create`` creates them. Only ``pool_create`` and ``aci_create`` talk to Azure.
"""
