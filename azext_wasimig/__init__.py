# --------------------------------------------------------------------------------------------
# Copyright (c) wasimig contributors. Licensed under the MIT License.
# --------------------------------------------------------------------------------------------
"""`az aks wasi-migrate`: move workloads off the retired AKS WASI (WasmWasi) node pools.

This module is imported by every `az aks ...` call (the command index maps the `aks` group to the
extension), so it stays tiny: the command table and arguments are imported inside the loader's
methods, and nothing here imports an SDK.
"""

from azure.cli.core import AzCommandsLoader

from azext_wasimig._help import helps  # pylint: disable=unused-import  # registers the YAML help


class WasiMigrateCommandsLoader(AzCommandsLoader):

    def __init__(self, cli_ctx=None):
        from azure.cli.core.commands import CliCommandType
        custom_type = CliCommandType(operations_tmpl="azext_wasimig.custom#{}")
        super().__init__(cli_ctx=cli_ctx, custom_command_type=custom_type)

    def load_command_table(self, args):
        from azext_wasimig.commands import load_command_table
        load_command_table(self, args)
        return self.command_table

    def load_arguments(self, command):
        from azext_wasimig._params import load_arguments
        load_arguments(self, command)


COMMAND_LOADER_CLS = WasiMigrateCommandsLoader
