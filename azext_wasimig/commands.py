"""Command table of `az aks wasi-migrate` (loaded for every `az aks` call: keep imports light)."""


def load_command_table(self, _):
    from azext_wasimig._format import (compare_table_format, cordon_table_format, create_aci_table_format,
                                       drain_table_format, pool_list_table_format, pool_show_table_format,
                                       retarget_table_format, rewrite_table_format, scan_table_format,
                                       verify_table_format)
    from azext_wasimig._validators import (validate_compare, validate_cordon, validate_create_aci,
                                           validate_create_pool, validate_drain,
                                           validate_list_scope, validate_names, validate_retarget, validate_rewrite,
                                           validate_scan_source, validate_verify, validate_wait)

    with self.command_group("aks wasi-migrate", is_preview=True) as g:
        g.custom_command("list", "wasi_list", table_transformer=pool_list_table_format,
                         validator=validate_list_scope)
        g.custom_show_command("show", "wasi_show", table_transformer=pool_show_table_format,
                              validator=validate_names)
        g.custom_command("scan", "wasi_scan", table_transformer=scan_table_format, validator=validate_scan_source)
        g.custom_command("cordon", "wasi_cordon", table_transformer=cordon_table_format, validator=validate_cordon)
        g.custom_command("uncordon", "wasi_uncordon", table_transformer=cordon_table_format,
                         validator=validate_cordon)
        g.custom_command("drain", "wasi_drain", table_transformer=drain_table_format, validator=validate_drain)
        g.custom_command("create-pool", "wasi_create_pool", supports_no_wait=True, validator=validate_create_pool)
        # Not custom_wait_command: azure-cli's generic wait exits 0 when its timeout passes (see waiting.py).
        g.custom_command("wait", "wasi_pool_wait", validator=validate_wait)
        g.custom_command("create-aci", "wasi_create_aci", supports_no_wait=True, validator=validate_create_aci,
                         table_transformer=create_aci_table_format)
        g.custom_command("retarget", "wasi_retarget", validator=validate_retarget, supports_no_wait=True,
                         table_transformer=retarget_table_format)
        g.custom_command("compare", "wasi_compare", table_transformer=compare_table_format,
                         validator=validate_compare)
        g.custom_command("verify", "wasi_verify", validator=validate_verify, table_transformer=verify_table_format)
        g.custom_command("rewrite", "wasi_rewrite", validator=validate_rewrite, table_transformer=rewrite_table_format)
        _decommission_commands(g)
        _cutover(g)
    for command in self.command_table.values():
        command.handler = _cli_boundary(command.handler)
        if command.validator:
            command.validator = _validator_boundary(command.validator)


def _decommission_commands(g):
    from azext_wasimig._format import delete_pool_table_format, rollback_table_format
    from azext_wasimig._validators import validate_delete_pool, validate_rollback
    # Not supports_no_wait: delete-pool's --no-wait still prints the decommission record (see _params).
    g.custom_command("delete-pool", "wasi_delete_pool", validator=validate_delete_pool,
                     table_transformer=delete_pool_table_format)
    g.custom_command("rollback", "wasi_rollback", validator=validate_rollback, table_transformer=rollback_table_format)


def _cutover(group):
    from azext_wasimig._format import cutover_table_format
    from azext_wasimig._validators import validate_cutover
    group.custom_command("cutover", "wasi_cutover", validator=validate_cutover, table_transformer=cutover_table_format)


def _cli_boundary(handler):
    """Where the CLI meets the migration, both ways, for every command.

    In: knack hands argument defaults over as DefaultStr/DefaultInt (subclasses marking "not typed by the
    user"); the core gets plain str/int, which every library takes (PyYAML's safe writer refuses str subclasses:
    a defaulted --runtime-class broke `retarget --dry-run`).
    Out: the phases' own errors (errors.py) become azclierror types here and nowhere else (_errors.to_cli_error);
    KeyboardInterrupt subclasses too, which azure-cli's exception_handler would never see."""
    def run(command_args):
        from azext_wasimig import errors
        try:
            return handler({key: _plain(value) for key, value in command_args.items()})
        except (errors.MigrationError, errors.MigrationInterrupted) as ex:
            from azext_wasimig._errors import to_cli_error
            raise to_cli_error(ex) from ex
    return run


def _validator_boundary(validator):
    """The phases' own errors raised while validating (a check the validator leaves to the phase's module, e.g.
    pool_spec.PoolOverrides.parse) become azclierror types too, as in _cli_boundary. ``namespace`` by name: az
    hands a command validator the arguments its signature names."""
    def validate(namespace):
        from azext_wasimig import errors
        try:
            validator(namespace)
        except errors.MigrationError as ex:
            from azext_wasimig._errors import to_cli_error
            raise to_cli_error(ex) from ex
    return validate


def _plain(value):
    from knack.validators import DefaultInt, DefaultStr
    if isinstance(value, DefaultStr):
        return str.__str__(value)
    if isinstance(value, DefaultInt):
        return int(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
