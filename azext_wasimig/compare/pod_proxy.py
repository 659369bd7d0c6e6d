"""Load one pod through the API server's pod proxy (``/api/v1/namespaces/NS/pods/NAME:PORT/proxy/PATH``).

The requests carry the kubeconfig's credentials (the bearer token, or the client certificate in the API client's
TLS context) and go through the connection settings the API client was built with; the token is put in the
request headers once, never in a URL, message or log line.
"""

from azext_wasimig.compare import load


def url(host, namespace, pod, port, path):
    return f"{host.rstrip('/')}/api/v1/namespaces/{namespace}/pods/{pod}:{port}/proxy{path}"


def target(api, side, pod, port_path, concurrency):
    port, path = port_path
    meta = pod["metadata"]
    _, _, headers, _, _ = api.param_serialize("GET", "/", header_params={}, auth_settings=["BearerToken"])
    kwargs = dict(api.rest_client.pool_manager.connection_pool_kw)
    for key in ("maxsize", "block", "retries"):
        kwargs.pop(key, None)
    label = f"pod {meta['namespace']}/{meta['name']} port {port} (through the API server's pod proxy)"
    return load.Target(side, label, url(api.configuration.host, meta["namespace"], meta["name"], port, path),
                       load.pool_manager(concurrency, **kwargs), headers=dict(headers), via_api_server=True)
