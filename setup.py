#!/usr/bin/env python
"""Packaging of the `wasimig` Azure CLI extension (`az aks wasi-migrate`)."""

from setuptools import find_packages, setup

VERSION = "1.0.0b1"

CLASSIFIERS = [
    "Development Status :: 4 - Beta",
    "Intended Audience :: Developers",
    "Intended Audience :: System Administrators",
    "Programming Language :: Python :: 3",
    "Programming Language :: Python :: 3.10",
    "Programming Language :: Python :: 3.11",
    "Programming Language :: Python :: 3.12",
]

# Never list azure-* packages: the CLI owns the `azure` namespace and ships the SDKs we use. PyYAML comes
# with the CLI (knack). The kubernetes client is the version the tests run against. ruamel.yaml (pure Python; its
# optional C parts are not needed: round-trip loading is Python anyway) edits manifests in place for `rewrite`,
# keeping comments, key order and quoting, which PyYAML drops.
DEPENDENCIES = ["kubernetes>=37.0.2,<38", "ruamel.yaml>=0.19.1,<0.20"]

with open("README.rst", encoding="utf-8") as f:
    README = f.read()
with open("HISTORY.rst", encoding="utf-8") as f:
    HISTORY = f.read()

setup(
    name="wasimig",
    version=VERSION,
    description="Azure CLI extension that moves workloads off the retired AKS WASI node pools.",
    long_description=README + "\n\n" + HISTORY,
    long_description_content_type="text/x-rst",
    license="MIT",
    author="wasimig contributors",
    url="https://github.com/wasimig/wasimig",
    classifiers=CLASSIFIERS,
    python_requires=">=3.10",
    packages=find_packages(include=["azext_wasimig", "azext_wasimig.*"]),
    install_requires=DEPENDENCIES,
    package_data={"azext_wasimig": ["azext_metadata.json"]},
)
