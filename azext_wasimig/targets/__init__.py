"""Migration targets as pure cores: plain camelCase dicts in, REST request bodies out.

``pool_spec`` builds the replacement agent pool, ``aci_spec`` the Azure Container Instances
groups. Neither imports an SDK or touches the network; ``custom.py`` fetches and applies.
"""
