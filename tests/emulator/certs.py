"""Test PKI for the emulator: a CA (what clients trust) and a leaf for 127.0.0.1/localhost.

Newer Pythons (3.13+) and OpenSSL run strict X.509 checks, so the leaf carries the full set of
extensions from testing-recipes.md A (basicConstraints, keyUsage, EKU serverAuth, SAN, SKI/AKI).
Files are reused when present and still valid, so repeated runs pay the RSA key cost only once.
"""
from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_FILE = "ca.pem"
CERT_FILE = "server.pem"
KEY_FILE = "server.key"
VALID_DAYS = 3650


def ensure_certs(state_dir) -> tuple[str, str, str]:
    """Return (ca_path, cert_path, key_path) in state_dir, creating them if missing or expired."""
    state = Path(state_dir)
    state.mkdir(parents=True, exist_ok=True)
    ca_path, cert_path, key_path = (state / CA_FILE, state / CERT_FILE, state / KEY_FILE)
    if not _usable(ca_path, cert_path, key_path):
        _create(ca_path, cert_path, key_path)
    return str(ca_path), str(cert_path), str(key_path)


def _usable(ca_path: Path, cert_path: Path, key_path: Path) -> bool:
    if not (ca_path.exists() and cert_path.exists() and key_path.exists()):
        return False
    try:
        leaf = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except ValueError:
        return False
    # A day of margin: a test run must never see the certificate expire under it.
    return leaf.not_valid_after_utc > _now() + datetime.timedelta(days=1)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _key() -> rsa.RSAPrivateKey:
    # RSA rather than EC: every TLS stack in the chain (requests/urllib3, MSAL, kubernetes) accepts it.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _create(ca_path: Path, cert_path: Path, key_path: Path) -> None:
    ca_key, leaf_key = _key(), _key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "LocalArm Test CA")])
    ca_cert = _ca_certificate(ca_key, ca_name)
    leaf_cert = _leaf_certificate(leaf_key, ca_key, ca_cert)
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(leaf_cert.public_bytes(serialization.Encoding.PEM))
    key_bytes = leaf_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    # The key is test-only, but keep it private to the user anyway.
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key_bytes)


def _ca_certificate(ca_key, ca_name) -> x509.Certificate:
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )


def _leaf_certificate(leaf_key, ca_key, ca_cert) -> x509.Certificate:
    now = _now()
    san = x509.SubjectAlternativeName(
        [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    )
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_cert.subject)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(san, critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )


def _key_usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=not cert_sign,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
