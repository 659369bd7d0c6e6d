"""Entra ID (just enough for MSAL's client-credentials flow) and the cloud metadata endpoint.

Tokens are unsigned-looking JWTs (a fake signature segment): nothing in az or the SDKs validates access tokens, some
code decodes their claims (tid, oid, appid), so the claims are real. `/metadata/endpoints` exists so that an
`az cloud register` without `--skip-endpoint-discovery` also stays on the emulator.
"""
from __future__ import annotations

import base64
import json
import time
import uuid

from .web import Request, Response, Router

AUDIENCE = "https://management.core.windows.net/"
TENANT = r"/(?P<tenant>[^/]+)"


def register(router: Router) -> None:
    router.add("GET", TENANT + r"/v2\.0/\.well-known/openid-configuration", openid_configuration, arm=False)
    router.add("GET", TENANT + r"/\.well-known/openid-configuration", openid_configuration, arm=False)
    router.add("POST", TENANT + r"/oauth2(?:/v2\.0)?/token", token, arm=False)
    router.add("GET", TENANT + r"/discovery(?:/v2\.0)?/instance", instance_discovery, arm=False)
    router.add("GET", TENANT + r"/discovery(?:/v2\.0)?/keys", lambda req, tenant: Response(200, {"keys": []}),
               arm=False)
    router.add("GET", r"/metadata/endpoints", metadata_endpoints, arm=False)


def openid_configuration(req: Request, tenant: str) -> Response:
    base = f"{req.base_url}/{tenant}"
    return Response(200, {
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": f"{base}/v2.0",
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{req.base_url}/oidc/userinfo",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "tid", "oid"],
        "tenant_region_scope": "EU",
        "cloud_instance_name": "localarm.example",
        "cloud_graph_host_name": "graph.localarm.example",
        "msgraph_host": "graph.localarm.example",
    })


def instance_discovery(req: Request, tenant: str) -> Response:
    host = req.base_url.split("://", 1)[1]
    return Response(200, {
        "tenant_discovery_endpoint": f"{req.base_url}/{tenant}/v2.0/.well-known/openid-configuration",
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
    })


def token(req: Request, tenant: str) -> Response:
    form = req.body if isinstance(req.body, dict) else {}
    grant = form.get("grant_type")
    if grant not in ("client_credentials", "refresh_token"):
        return Response(400, {"error": "unsupported_grant_type",
                              "error_description": f"AADSTS70003: the emulator supports client_credentials only "
                                                   f"(got {grant!r}). Use az login --service-principal."})
    scope = form.get("scope") or AUDIENCE + ".default"
    resource = form.get("resource") or scope.split()[0].rsplit("/.default", 1)[0]
    client_id = form.get("client_id") or "fake-sp"
    tenant_id = req.state.tenant_id if tenant.lower() in ("organizations", "common") else tenant
    access = make_token(tenant_id, client_id, resource)
    body = {"token_type": "Bearer", "expires_in": 86399, "ext_expires_in": 86399, "access_token": access}
    if "/v2.0/" not in req.path:
        body.update(resource=resource, expires_on=str(int(time.time()) + 86399))
    return Response(200, body)


def object_id(client_id: str) -> str:
    """Stable service-principal object id per client id (403 messages quote it)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"localarm:{client_id}"))


def make_token(tenant_id: str, client_id: str, audience: str) -> str:
    now = int(time.time())
    claims = {
        "aud": audience, "iss": f"https://sts.windows.net/{tenant_id}/", "iat": now, "nbf": now, "exp": now + 86399,
        "appid": client_id, "appidacr": "1", "idtyp": "app", "oid": object_id(client_id), "sub": object_id(client_id),
        "tid": tenant_id, "ver": "1.0", "uti": uuid.uuid4().hex[:22],
    }
    header = {"typ": "JWT", "alg": "RS256", "kid": "localarm"}
    return ".".join([_b64(header), _b64(claims), _b64("emulator-signature-not-checked")])


def _b64(value) -> str:
    raw = value.encode() if isinstance(value, str) else json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def metadata_endpoints(req: Request) -> Response:
    """The ARM cloud metadata document: one cloud for api-version >= 2022-09-01, a list before."""
    base = req.base_url
    cloud = {
        "name": "LocalArm",
        "portal": base,
        "resourceManager": base + "/",
        "authentication": {"loginEndpoint": base, "audiences": [AUDIENCE, "https://management.azure.com/"],
                           "tenant": "common", "identityProvider": "AAD"},
        "graphAudience": "https://graph.localarm.example/",
        "microsoftGraphResourceId": "https://graph.localarm.example/",
        "suffixes": {"acrLoginServer": "azurecr.localarm.example", "keyVaultDns": "vault.localarm.example",
                     "storage": "core.localarm.example", "sqlServerHostname": "database.localarm.example"},
    }
    version = req.api_version or ""
    return Response(200, cloud if version >= "2022-09-01" else [cloud])
