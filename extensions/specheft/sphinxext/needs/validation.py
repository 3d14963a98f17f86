"""A faster ``validate_field_link_schemas`` (sphinx-needs 9's field and link schema check,
run on every need in every build that validates: a check and a re-check).

For each need the original projects the need onto the properties of the schema with
``{key: value for key, value in need.items() if key in properties …}``. ``items()``
renders every value first — each of the seven link and seven back-link lists as filter
strings, the source and content fields — and the comprehension then keeps the two dozen
the schema names: 15,507 such projections were 0.48 of a 2.4 s profiled re-check at
15,500 items. :func:`_projected` gives the same dict (the same keys in the same order,
the same values) and renders a value only for a key the schema names.

:func:`validate_field_link_schemas` is the original function with that projection; the
rest is unchanged (the same warnings, in the same order, with the same reduced need).
A need that is not a plain ``NeedItem`` is projected by the original comprehension.
:func:`install` replaces the name where the schema processing looks it up
(``sphinx_needs.schema.process``) when it is still sphinx-needs' own; installing again
replaces nothing. ``tests/test_reread.py`` compares both functions on random needs.
"""

from __future__ import annotations

from typing import Any

_ORIGINAL: dict[str, Any] = {}


def _keep(key: str, value: Any, placeholders: Any, with_off: Any, need_type: Any) -> bool:
    """The original's condition for a key the schema names."""
    return value is not None and not (
        key in placeholders
        and value == placeholders[key]
        and not (key in with_off and with_off[key].rule_for(need_type) is None)
    )


def _projected(
    need: Any, properties: Any, placeholders: Any, with_off: Any, plain_item: bool
) -> dict[str, Any]:
    """``{k: v for k, v in need.items() if k in properties and <kept>}``, in that order
    (``plain_item``: ``need`` is a ``NeedItem`` itself, not of a subclass)."""
    if not plain_item:
        return {
            key: value
            for key, value in need.items()
            if key in properties and _keep(key, value, placeholders, with_off, need["type"])
        }
    need_type = need["type"]
    data: dict[str, Any] = {}
    # the order of NeedItem.items(): core, extras, links, back links, source, content,
    # computed
    for plain in (need._core, need._extras):
        for key, value in plain.items():
            if key in properties and _keep(key, value, placeholders, with_off, need_type):
                data[key] = value
    for key, links in need._links.items():
        if key in properties:
            value = [link.to_filter_string() for link in links]
            if _keep(key, value, placeholders, with_off, need_type):
                data[key] = value
    backlinks = need._backlinks
    for key, name in need._backlinks_keymap.items():
        if key in properties:
            value = [link.to_filter_string() for link in backlinks[name]]
            if _keep(key, value, placeholders, with_off, need_type):
                data[key] = value
    for plain in (need._source.dict_repr, need._content.dict_repr, need._computed):
        for key, value in plain.items():
            if key in properties and _keep(key, value, placeholders, with_off, need_type):
                data[key] = value
    return data


def validate_field_link_schemas(config: Any, fields_schema: Any, needs: Any) -> Any:
    """sphinx-needs' ``validate_field_link_schemas`` with :func:`_projected`."""
    from jsonschema_rs import ValidationError
    from sphinx_needs.need_item import NeedItem
    from sphinx_needs.schema.config import MessageRuleEnum
    from sphinx_needs.schema.core import _field_validation, get_severity
    from sphinx_needs.schema.reporting import save_debug_files

    global_view = fields_schema.for_type(None)
    if (every_type := _field_validation(global_view)) is None:
        return {}
    by_type: dict[str, Any] = {}
    need_2_warnings: dict[str, list[Any]] = {}
    for need in needs.values():
        if (validation := by_type.get(need["type"])) is None:
            type_schema = fields_schema.for_type(need["type"])
            if type_schema is global_view:
                validation = every_type
            else:
                validation = _field_validation(type_schema)
                assert validation is not None
            by_type[need["type"]] = validation
        validator = validation.validator
        link_names = validation.link_names
        need_data = _projected(
            need,
            validator.properties,
            validation.placeholders,
            validation.with_off_type_default,
            type(need) is NeedItem,
        )
        warnings: list[Any] = []
        try:
            validation_errors = list(validator.compiled.iter_errors(instance=need_data))
        except ValidationError as exc:
            warnings.append(
                {
                    "rule": MessageRuleEnum.cfg_schema_error,
                    "severity": get_severity(MessageRuleEnum.cfg_schema_error),
                    "validation_message": str(exc),
                    "need": need,
                    "schema_path": ["fields", "schema"],
                    "need_path": [need["id"]],
                }
            )
            save_debug_files(config, warnings)
            need_2_warnings[need["id"]] = warnings
            continue
        for err in validation_errors:
            root_prop = str(err.instance_path[0]) if err.instance_path else None
            is_link = root_prop is not None and root_prop in link_names
            rule = MessageRuleEnum.link_fail if is_link else MessageRuleEnum.field_fail
            schema_prefix = "links" if is_link else "fields"
            warning: dict[str, Any] = {
                "rule": rule,
                "severity": get_severity(rule),
                "validation_message": err.message,
                "need": need,
                "reduced_need": need_data,
                "final_schema": validator.raw,
                "schema_path": [schema_prefix, "schema", *(str(item) for item in err.schema_path)],
                "need_path": [need["id"]],
            }
            if err_field := ".".join([str(x) for x in err.instance_path]):
                warning["field"] = err_field
            warnings.append(warning)
        save_debug_files(config, warnings)
        if warnings:
            need_2_warnings[need["id"]] = warnings
    return need_2_warnings


def install() -> bool:
    """Replace the name in ``sphinx_needs.schema.process``; True if it is in place."""
    from sphinx_needs.schema import core, process

    current = getattr(process, "validate_field_link_schemas", None)
    if current is validate_field_link_schemas:
        return True
    if current is None or current is not getattr(core, "validate_field_link_schemas", None):
        return False  # renamed, or someone else replaced it: leave it alone
    _ORIGINAL["validate_field_link_schemas"] = current
    setattr(process, "validate_field_link_schemas", validate_field_link_schemas)  # noqa: B010
    return True
