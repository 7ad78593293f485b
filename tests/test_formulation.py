"""The Formulation schema: strict structured-output rules and JSON/YAML round trips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from optimus.errors import UserError
from optimus.formulation import (
    Formulation, formulation_from_data, load_formulation, strict_json_schema,
)

EXAMPLE: dict[str, Any] = {
    "name": "production",
    "description": "Chairs and tables from limited labor.",
    "assumptions": ["fractional tables are not allowed"],
    "sets": [{"name": "Products", "elements": ["chairs", "tables"]},
             {"name": "Arcs", "elements": [["a", "b"], ["b", "c"]]}],
    "parameters": [
        {"name": "profit", "index": ["Products"],
         "values": [{"index": ["chairs"], "value": 45}, {"index": ["tables"], "value": 80}]},
        {"name": "hours", "index": ["Products"],
         "values": [{"index": ["chairs"], "value": 5}, {"index": ["tables"], "value": 20}]},
        {"name": "capacity", "value": 400},
        {"name": "length", "index": ["Arcs"], "default": 1.0},
    ],
    "variables": [{"name": "make", "index": ["Products"], "domain": "integer",
                   "description": "units to make"},
                  {"name": "flow", "index": ["Arcs"], "upper": 10}],
    "constraints": [
        {"name": "labor", "expression": "sum(hours[p] * make[p] for p in Products) <= capacity"},
        {"name": "min_chairs", "expression": "make['chairs'] >= 10"},
        {"name": "arc_cap", "forall": "(i, j) in Arcs", "expression": "flow[i, j] <= 5"},
    ],
    "objective": {"sense": "maximize",
                  "expression": "sum(profit[p] * make[p] for p in Products)"},
}


# --------------------------------------------------------------------------- strict rules
def _walk(node: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    """Every schema node (dicts), skipping the *names* of a properties mapping."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for prop, sub in value.items():
                    yield from _walk(sub, f"{path}.properties.{prop}")
            else:
                yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")


def _strict_violations(schema: dict[str, Any]) -> list[str]:
    bad = []
    for path, node in _walk(schema):
        if "default" in node:
            bad.append(f"{path}: has a default")
        is_object = node.get("type") == "object" or "properties" in node
        if not is_object:
            continue
        if "properties" not in node:
            bad.append(f"{path}: free-form object (no properties)")
            continue
        if node.get("additionalProperties") is not False:
            bad.append(f"{path}: additionalProperties is {node.get('additionalProperties')!r}")
        if sorted(node.get("required", [])) != sorted(node["properties"]):
            bad.append(f"{path}: required {node.get('required')} != properties "
                       f"{list(node['properties'])}")
    return bad


def test_strict_schema_follows_openai_strict_rules() -> None:
    schema = strict_json_schema()
    assert _strict_violations(schema) == []
    assert schema["type"] == "object"
    # every $defs model is an object of the strict kind, and Parameter keeps its
    # "default" *field* (only "default" keywords are dropped)
    params = schema["$defs"]["Parameter"]
    assert "default" in params["properties"]
    assert "default" in params["required"]


def test_strict_schema_has_no_free_form_dicts() -> None:
    for path, node in _walk(strict_json_schema()):
        ap = node.get("additionalProperties")
        assert ap in (None, False), f"{path}: additionalProperties={ap!r}"
        if node.get("type") == "object":
            assert node.get("properties"), f"{path}: object without properties"


def test_strict_rule_checker_catches_violations() -> None:
    """The checker above is not vacuous."""
    loose = {"type": "object", "properties": {"a": {"type": "string", "default": "x"},
                                              "m": {"type": "object",
                                                    "additionalProperties": {"type": "number"}}},
             "required": ["a"]}
    found = "\n".join(_strict_violations(loose))
    assert "has a default" in found
    assert "free-form object" in found
    assert "required" in found


def test_schema_converts_to_a_strict_openai_tool() -> None:
    from langchain_core.utils.function_calling import convert_to_openai_tool

    tool = convert_to_openai_tool(strict_json_schema(), strict=True)
    fn = tool["function"]
    assert fn["name"] == "Formulation"
    assert fn["strict"] is True
    assert _strict_violations({k: v for k, v in fn["parameters"].items()}) == []

    tool2 = convert_to_openai_tool(Formulation, strict=True)
    params = tool2["function"]["parameters"]
    assert params["additionalProperties"] is False
    assert sorted(params["required"]) == sorted(params["properties"])


def test_schema_command_prints_the_strict_schema(capsys: pytest.CaptureFixture[str]) -> None:
    from optimus.cli import main

    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == strict_json_schema()


# --------------------------------------------------------------------------- round trips
_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool,
          "array": list, "object": dict, "null": type(None)}


def _conforms(schema: dict[str, Any], node: dict[str, Any], value: Any, path: str = "$"
              ) -> list[str]:
    """A small validator for the keywords the strict schema uses (no jsonschema needed)."""
    if "$ref" in node:
        return _conforms(schema, schema["$defs"][node["$ref"].split("/")[-1]], value, path)
    if "anyOf" in node:
        for option in node["anyOf"]:
            if not _conforms(schema, option, value, path):
                return []
        return [f"{path}: {value!r} matches no option"]
    errors = []
    t = node.get("type")
    if t is not None:
        ok = isinstance(value, _TYPES[t]) and not (t in ("integer", "number")
                                                   and isinstance(value, bool))
        if not ok:
            return [f"{path}: expected {t}, got {value!r}"]
    if "enum" in node and value not in node["enum"]:
        errors.append(f"{path}: {value!r} not in {node['enum']}")
    if isinstance(value, dict):
        props = node.get("properties", {})
        for key in node.get("required", []):
            if key not in value:
                errors.append(f"{path}: missing required {key!r}")
        for key, sub in value.items():
            if key not in props:
                errors.append(f"{path}: unexpected {key!r}")
            else:
                errors += _conforms(schema, props[key], sub, f"{path}.{key}")
    if isinstance(value, list) and "items" in node:
        for i, sub in enumerate(value):
            errors += _conforms(schema, node["items"], sub, f"{path}[{i}]")
    return errors


def _as_a_model_would_fill_it() -> dict[str, Any]:
    """EXAMPLE with every field present: optional ones null, lists and enums given."""
    return {
        "name": "production", "description": None, "assumptions": [],
        "sets": [{"name": "Products", "description": None, "elements": ["chairs", "tables"],
                  "data": None, "range": None},
                 {"name": "Arcs", "description": "network arcs",
                  "elements": [["a", "b"], ["b", "c"]], "data": None, "range": None}],
        "parameters": [
            {"name": "profit", "description": None, "index": ["Products"], "value": None,
             "values": [{"index": ["chairs"], "value": 45}, {"index": ["tables"], "value": 80}],
             "data": None, "default": None, "forall": None, "expression": None},
            {"name": "hours", "description": "hours per unit", "index": ["Products"],
             "value": None, "values": [{"index": ["chairs"], "value": 5},
                                       {"index": ["tables"], "value": 20}],
             "data": None, "default": None, "forall": None, "expression": None},
            {"name": "capacity", "description": None, "index": [], "value": 400, "values": None,
             "data": None, "default": None, "forall": None, "expression": None},
            {"name": "length", "description": None, "index": ["Arcs"], "value": None,
             "values": None, "data": {"path": "length.csv", "column": None, "index_columns": None, "key": None,
                                "key_column": None, "sheet": None}, "default": 1.0, "forall": None, "expression": None},
        ],
        "variables": [
            {"name": "make", "description": "units to make", "index": ["Products"],
             "domain": "integer", "lower": 0, "upper": None},
            {"name": "flow", "description": None, "index": ["Arcs"], "domain": "continuous",
             "lower": None, "upper": 10},
        ],
        "constraints": [
            {"name": "labor", "description": None, "forall": None,
             "expression": "sum(hours[p] * make[p] for p in Products) <= capacity", "when": None},
            {"name": "arc_cap", "description": None, "forall": "(i, j) in Arcs",
             "expression": "flow[i, j] <= 5", "when": None},
        ],
        "objective": {"sense": "maximize", "description": None,
                      "expression": "sum(profit[p] * make[p] for p in Products)"},
        "objectives": None,
    }


def test_round_trip_as_a_model_would_fill_it() -> None:
    schema = strict_json_schema()
    filled = json.loads(json.dumps(_as_a_model_would_fill_it()))  # through JSON text
    assert _conforms(schema, schema, filled) == []
    f = Formulation.model_validate(filled)
    assert f.parameter("capacity").value == 400
    assert f.parameter("length").data.path == "length.csv"
    assert f.parameter("length").default == 1.0
    assert f.variable("flow").lower is None  # null means free
    assert f.variable("flow").upper == 10
    assert f.constraint("arc_cap").forall == "(i, j) in Arcs"
    # and what we export is itself a valid strict answer
    assert _conforms(schema, schema, f.to_dict()) == []


def test_strict_validator_rejects_a_missing_field() -> None:
    schema = strict_json_schema()
    filled = _as_a_model_would_fill_it()
    del filled["parameters"][0]["default"]
    filled["variables"][0]["domain"] = "real"
    errors = "\n".join(_conforms(schema, schema, filled))
    assert "missing required 'default'" in errors
    assert "'real' not in" in errors


def test_nulls_for_every_optional_field_validate() -> None:
    data = {
        "name": "tiny", "description": None, "assumptions": [],
        "sets": [{"name": "S", "description": None, "elements": ["a", 1, ["b", 2]]}],
        "parameters": [{"name": "c", "description": None, "index": [], "value": 2.0,
                        "values": None, "data": None, "default": None}],
        "variables": [{"name": "x", "description": None, "index": [], "domain": "continuous",
                       "lower": None, "upper": None}],
        "constraints": [{"name": "cap", "description": None, "forall": None,
                         "expression": "x <= c"}],
        "objective": {"sense": "maximize", "expression": "x", "description": None},
    }
    f = Formulation.model_validate(data)
    assert f.variables[0].lower is None  # null means free, not the default 0
    assert f.sets[0].elements == ["a", 1, ["b", 2]]


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_file_round_trip(tmp_path: Path, suffix: str) -> None:
    f = Formulation.model_validate(EXAMPLE)
    path = f.save(tmp_path / f"model{suffix}")
    text = path.read_text(encoding="utf-8")
    if suffix == ".json":
        json.loads(text)
    else:
        yaml.safe_load(text)
    g = load_formulation(path)
    assert g.to_dict() == f.to_dict()
    assert g.base_dir == tmp_path.resolve()


def test_yaml_and_json_texts_agree() -> None:
    f = Formulation.model_validate(EXAMPLE)
    assert yaml.safe_load(f.to_yaml()) == json.loads(f.to_json())


def test_expected_block_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump({**EXAMPLE, "expected": {"status": "optimal",
                                                            "objective": 3600}}))
    assert load_formulation(path).name == "production"


def test_schema_violation_is_a_user_error() -> None:
    bad = {**EXAMPLE, "variables": [{"name": "x", "domain": "real"}], "colour": "red"}
    with pytest.raises(UserError) as info:
        formulation_from_data(bad, source="m.yaml")
    msg = info.value.message
    assert "m.yaml does not match the formulation schema" in msg
    assert "variables.0.domain" in msg
    assert "colour" in msg
