"""Local stand-in for Azure Resource Manager + Entra ID (AKS agent pools, managed clusters, ACI) for wasimig tests.

    from tests.emulator import start_emulator, az_environment, login
    emu = start_emulator("tests/emulator/estates/sample.yaml", tmp_path)   # emu.url, emu.ca_path, emu.requests() ...

See tests/emulator/README.md.
"""
from .api import EmulatorClient, EmulatorHandle, start_emulator
from .azcli import az_environment, login, run_az
from .estate import generate_estate, load_estate
from .requestlog import redacted

__all__ = ["EmulatorClient", "EmulatorHandle", "start_emulator", "az_environment", "login", "run_az",
           "generate_estate", "load_estate", "redacted"]
