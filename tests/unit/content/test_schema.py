"""The data-file schemas and their adapter to DataFileError (coursekit.content.schema)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import tomllib
from typing import Any

import jsonschema
import pytest

from conftest import ROOT
from coursekit.cohort import summary
from coursekit.content import evidence, instruments, questions, readings
from coursekit.content.manifest import load_module
from coursekit.content.schema import SCHEMAS, schema_path, validate
from coursekit.errors import DataFileError, InstrumentError
from coursekit.student import responses

SOURCE = ROOT / "course" / "source"
NAMES = ["course", "evidence", "instrument", "model_answers", "module", "questions", "reading", "reference",
         "responses"]


def bundled(name: str) -> list[tuple[str, Any]]:
    """(file, decoded content) of every file of one format that the project ships."""
    toml = {"reading": "*/reading.toml", "module": "*/module.toml", "model_answers": "*/model-answers.toml"}
    if name in toml:
        return [(str(p), tomllib.loads(p.read_text())) for p in sorted(SOURCE.glob(toml[name]))]
    if name == "course":
        return [("coursekit.toml", tomllib.loads((SOURCE.parent / "coursekit.toml").read_text()))]
    if name == "responses":
        saved = responses.Responses("alliance", 2, "2026-11-21T10:00:00+00:00", {
            "alliance": responses.InstrumentAnswers({"bond_1": 4}, 1, "2026-11-21T10:00:00+00:00")},
            {"prediction": {"gain_percent": 30}, "stuck_own_feeling": {"name": "bored", "rating": 6}})
        return [("written by the store", saved.to_json())]
    if name in ("evidence", "reference"):
        return [(str(p), json.loads(p.read_text())) for p in sorted(SOURCE.glob(f"*/{name}.json"))]
    kind = {"instrument": "instrument", "questions": "questions"}[name]
    return [(f"{m.id}/{f.file}", json.loads((m.folder / str(f.file)).read_text()))
            for m in map(load_module, sorted(p.parent for p in SOURCE.glob("*/module.toml")))
            for f in m.forms_of(kind)]


def problem(data: Any, schema: str) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        validate(data, schema, "demo.json")
    return caught.value


def alliance() -> dict[str, Any]:
    return json.loads((SOURCE / "alliance" / "alliance.json").read_text())


# --- the schema files ----------------------------------------------------------------


def test_there_is_one_schema_per_format_and_each_is_a_valid_schema():
    assert sorted(p.name for p in SCHEMAS.glob("*.json")) == [f"{n}.schema.json" for n in NAMES]
    for name in NAMES:
        schema = json.loads(schema_path(name).read_text())
        jsonschema.validators.validator_for(schema).check_schema(schema)
        assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
        assert "$id" not in schema and schema["title"] and schema["description"]


def _followed(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target = root["definitions"][node["$ref"].rsplit("/", 1)[1]]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _undocumented(node: dict[str, Any], root: dict[str, Any], where: str = "") -> list[str]:
    """The fields under node that have no description (following $ref; if/then only adds rules)."""
    node = _followed(node, root)
    missing = []
    for name, child in node.get("properties", {}).items():
        child = _followed(child, root)
        if not child.get("description"):
            missing.append(where + name)
        missing += _undocumented(child, root, f"{where}{name}.")
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            missing += _undocumented(node[key], root, f"{where}*.")
    return missing


@pytest.mark.parametrize("name", NAMES)
def test_every_field_is_documented(name):
    schema = json.loads(schema_path(name).read_text())
    assert _undocumented(schema, schema) == []


@pytest.mark.parametrize("name", NAMES)
def test_every_file_the_project_ships_is_valid(name):
    for file, data in bundled(name):
        try:
            validate(data, name, file)
        except DataFileError as exc:
            pytest.fail(str(exc))


def test_the_loaders_constants_say_what_the_schemas_say():
    def schema(name: str) -> dict[str, Any]:
        return json.loads(schema_path(name).read_text())

    versions = {"instrument": instruments.SCHEMA_VERSION, "questions": questions.SCHEMA_VERSION,
                "reading": readings.SCHEMA_VERSION, "evidence": evidence.SCHEMA_VERSION,
                "reference": summary.REFERENCE_SCHEMA_VERSION, "responses": responses.SCHEMA_VERSION}
    for name, version in versions.items():
        assert schema(name)["properties"]["schema_version"]["const"] == version, name
    assert schema("responses")["properties"]["format"]["const"] == responses.FORMAT
    quotations = schema("reading")["properties"]["quotations"]
    assert quotations["minItems"] == readings.MIN_QUOTATIONS
    assert quotations["maxItems"] == readings.MAX_QUOTATIONS
    words = quotations["items"]["properties"]["text"]["pattern"]
    assert f"{{0,{readings.MAX_QUOTATION_WORDS - 1}}}" in words
    effect = schema("evidence")["definitions"]["effect"]["properties"]
    assert tuple(effect["metric"]["enum"]) == evidence.METRICS
    studies = schema("evidence")["definitions"]["finding"]["properties"]["studies"]["properties"]
    assert tuple(studies["unit"]["enum"]) == evidence.STUDY_UNITS


def test_package_data_ships_the_schemas():
    assert '"content/schemas/*.json"' in (ROOT / "pyproject.toml").read_text()


# --- the adapter's messages -------------------------------------------------------


def test_a_wrong_type_names_what_is_allowed_and_what_was_found():
    data = alliance()
    data["scale"]["max"] = "5"
    found = problem(data, "instrument")
    assert found.field == "scale.max"
    assert found.problem == "should be a whole number, not text ('5')."
    assert str(found).startswith("demo.json, field 'scale.max': should be a whole number")


def test_a_missing_field_is_named_with_its_own_advice():
    data = alliance()
    del data["scale"]
    found = problem(data, "instrument")
    assert (found.field, found.problem) == ("scale", "is missing.")
    assert found.advice.startswith("Give min, max and optionally labels")
    del data["title"]  # a field without advice of its own says what to add
    assert problem({**data, "scale": alliance()["scale"]}, "instrument").advice.startswith(
        'Add "title": a non-empty text.')


def test_an_enum_lists_the_choices():
    data = json.loads((SOURCE / "relationship" / "evidence.json").read_text())
    data["findings"][1]["studies"]["unit"] = "trials"
    found = problem(data, "evidence")
    assert found.field == "findings.1.studies.unit"
    assert found.problem == "is 'trials'; choose one of studies, samples, data sources."


def test_a_nested_field_is_named_by_its_dotted_path():
    data = alliance()
    data["items"][3]["text"] = "   "
    found = problem(data, "instrument")
    assert found.field == "items.3.text"
    assert found.problem == "is empty; it should be a non-empty text."


def test_an_unknown_field_is_named_with_the_fields_allowed_there():
    data = alliance()
    data["items"][3]["subscle"] = "bond"
    found = problem(data, "instrument")
    assert found.field == "items.3.subscle"
    assert found.problem == ("is not a field of this format; the fields here are id, subscale, text, "
                             "reverse, anchors, not_applicable.")
    assert found.advice.startswith("Check its spelling, or remove it.")


def test_a_range_is_said_in_words():
    data = json.loads((SOURCE / "stuck" / "stuck.json").read_text())
    data["own_item"]["max_length"] = 500
    assert problem(data, "instrument").problem == "is 500; it should be a whole number from 1 to 200."


def test_a_rule_that_depends_on_another_field_gives_that_rules_advice():
    data = json.loads((SOURCE / "relationship" / "evidence.json").read_text())
    data["findings"][1]["effects"] = [{"metric": "r", "value": 1.5}]
    found = problem(data, "evidence")
    assert (found.field, found.problem) == ("findings.1.effects.0.value",
                                            "is 1.5; it should be a number from -1 to 1.")
    assert found.advice.startswith("A correlation lies from -1 to 1.")


def test_every_message_ends_by_saying_where_the_format_is():
    data = alliance()
    data["title"] = ""
    assert problem(data, "instrument").advice.endswith(
        "See the format in coursekit/content/schemas/instrument.schema.json.")
    card = bundled("reading")[0][1]
    card["themes"] = []
    assert problem(card, "reading").advice == "See docs/modules.md."


def test_the_kind_and_version_of_a_file_are_reported_before_its_other_fields():
    found = problem({"format": "something else"}, "responses")
    assert (found.field, found.advice) == ("format", "It is not a coursekit response file.")
    found = problem({"format": "coursekit-responses", "schema_version": 2}, "responses")
    assert found.field == "schema_version"
    data = alliance()
    data["schema_version"] = 2
    del data["items"]
    assert problem(data, "instrument").field == "schema_version"


def test_a_whole_file_of_the_wrong_kind_has_no_field():
    found = problem(["not", "an", "object"], "reference")
    assert found.field is None
    assert found.problem == ("should be an object with schema_version, instrument, about and scales, "
                             "not a list.")


def test_a_number_with_a_decimal_point_is_not_a_whole_number():
    data = alliance()
    data["scale"]["max"] = 5.0
    found = problem(data, "instrument")
    assert found.field == "scale.max"
    assert "not a number with a decimal point (5.0)" in found.problem


def test_a_long_text_is_quoted_by_its_beginning_and_length():
    card = bundled("reading")[0][1]
    card["quotations"][0]["text"] = " ".join(["word"] * 50)
    found = problem(card, "reading")
    assert found.problem == ("is 'word word word word word word word word...' (50 words); "
                             "it should be a text of at most 40 words.")


def test_the_error_class_is_the_callers():
    with pytest.raises(InstrumentError):
        validate({}, "instrument", "demo.json", InstrumentError)


def test_an_unknown_schema_is_a_programming_error_naming_the_known_ones():
    with pytest.raises(ValueError, match="no schema 'nope'.*instrument"):
        validate({}, "nope", "demo.json")
    assert schema_path("nope") == SCHEMAS / "nope.schema.json"


# --- the quick check agrees with jsonschema -----------------------------------------

WRONG_VALUES = [None, "", "x", "Upper Case", 0, -1, 1.5, 4.0, True, [], ["x"], {}, {"x": 1}]


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _leaves(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data[:2]):
            found += _leaves(value, (*path, i))
    return found


def _strict_validator(name: str) -> Any:
    schema = json.loads(schema_path(name).read_text())
    base = jsonschema.validators.validator_for(schema)
    strict = base.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool))
    return jsonschema.validators.extend(base, type_checker=strict)(schema)


@pytest.mark.parametrize("name", NAMES)
def test_validate_refuses_exactly_what_jsonschema_refuses(name):
    # validate lets a fast compiled check accept a file; every variant of a
    # shipped file with one field changed or removed must be judged as
    # jsonschema itself (with strict integers) judges it.
    reference = _strict_validator(name)
    _, original = bundled(name)[0]
    checked = 0
    for path in _leaves(original):
        for value in [*WRONG_VALUES, KeyError]:
            data = copy.deepcopy(original)
            target = data
            for key in path[:-1]:
                target = target[key]
            if value is KeyError:
                if isinstance(target, list):
                    continue
                del target[path[-1]]
            else:
                target[path[-1]] = value
            expected = reference.is_valid(data)
            try:
                validate(data, name, "demo.json")
                refused = False
            except DataFileError:
                refused = True
            assert refused != expected, (path, value)
            checked += 1
    assert checked > (30 if name == "model_answers" else 100)  # model answers: six leaves only


def test_importing_the_loaders_loads_no_schema_library():
    modules = ["coursekit.content.instruments", "coursekit.content.questions", "coursekit.content.readings",
               "coursekit.content.evidence", "coursekit.student.responses", "coursekit.cohort.summary"]
    code = f"import json, sys, {', '.join(modules)}; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
    assert [name for name in ("jsonschema", "fastjsonschema") if name in loaded] == []


def test_explaining_an_invalid_file_leaves_the_iri_parser_unloaded_but_importable():
    code = """
import importlib.util, json, sys
from coursekit.content.schema import validate
from coursekit.errors import DataFileError
try:
    validate({"format": 1}, "responses", "x.json")
except DataFileError:
    pass
print(json.dumps(["jsonschema" in sys.modules, "rfc3987_syntax" in sys.modules,
                  importlib.util.find_spec("rfc3987_syntax") is not None]))
"""
    explained, parser_loaded, findable = json.loads(
        subprocess.check_output([sys.executable, "-c", code], text=True))
    assert explained and not parser_loaded
    import importlib.util

    assert findable == (importlib.util.find_spec("rfc3987_syntax") is not None)
