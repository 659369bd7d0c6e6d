"""The emulator's self-tests: one in-process emulator per module on the sample estate (``emu``), reset before each
test (``arm``, an HTTPS caller). A module that needs another estate defines its own ``emu``."""

import pytest

from tests.emulator import load_estate, start_emulator
from tests.emulator.testing import SAMPLE, Arm


@pytest.fixture(scope="module")
def emu(tmp_path_factory):
    handle = start_emulator(SAMPLE, tmp_path_factory.mktemp("emu"))
    yield handle
    handle.stop()


@pytest.fixture
def arm(emu):
    emu.set_estate(load_estate(SAMPLE))
    emu.clear_faults()
    emu.clear_requests()
    emu.settings(lroPolls=2, latencyMs=0, pageSize=50)
    return Arm(emu)
