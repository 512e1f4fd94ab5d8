"""Checking a decoded data file against its JSON Schema, with messages for course authors.

Every data file format (instruments, question sets, reading cards, evidence,
reference figures, response files) is described by a JSON Schema (draft 7) in
``coursekit/content/schemas/<name>.schema.json``. The schema is the format's
documentation: its titles and descriptions say what each field means.
``validate`` checks a decoded file against it and raises the loader's own
``DataFileError`` subclass for the most relevant problem, naming the file, the
field (a dotted path such as ``items.3.text``), what is wrong, what is allowed
and what to do. Rules that relate two parts of a file (an item's subscale must
be declared, ids must not repeat) are checked by the loaders after this.

The schemas may carry these keywords of their own (validators ignore them):

* ``x-advice`` on any field: what to do when that field is wrong, added to the
  message (for a missing field, the advice of the missing field's schema);
* ``x-expected`` on a field whose rule is a pattern: the allowed form in words
  ("lower case letters, digits and _");
* ``x-see`` at the top: where the format is explained, ending every message
  (by default the schema file; "" for none);
* ``x-check-first`` at the top: fields whose problems are reported before all
  others, in that order, so that a file of another kind or version is named
  as such rather than by whichever of its fields happens to differ.

"integer" means a whole number written without a decimal point: 4.0 is
refused, as the hand-written checks always did, because the files'
dataclasses hold ints (the JSON Schema standard would take it).

Two libraries, one schema: the jsonschema package decides and explains, with
``best_match`` picking the error to report. A class report reads thousands of
response files, and jsonschema takes about 0.2 ms a file (and, with its
optional format checkers installed, up to 2 s to import), so a schema compiled
once with fastjsonschema (about 5 us a file) first says whether a file is
valid; only a file it refuses, or one holding a number like 4.0 (which it
takes for an integer), goes on to jsonschema.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from coursekit.errors import DataFileError

SCHEMAS = Path(__file__).parent / "schemas"

# Keywords whose subschema applies to a child of the instance (a property, an
# element): an x-advice above one of them is about the parent, not the child.
_TO_CHILD = {"properties", "patternProperties", "additionalProperties", "items", "additionalItems",
             "contains", "propertyNames"}
# Keywords that hold several subschemas, picked by the next part of a schema path.
_NAMED = {"properties", "patternProperties", "allOf", "anyOf", "oneOf", "dependencies", "definitions"}
_TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number",
               "boolean": "true or false", "array": "a list", "object": "an object", "null": "null"}


def schema_path(schema: str) -> Path:
    """The file of a schema by name ("instrument"), whether or not it exists."""
    return SCHEMAS / f"{schema}.schema.json"


def validate(data: Any, schema: str, path: str | Path,
             error: type[DataFileError] = DataFileError) -> None:
    """Check decoded ``data`` against the named schema; raise ``error`` for the most relevant problem.

    ``path`` is the file the data came from (it only goes into the message).
    """
    # Imported here, not at the top, so that importing a loader stays cheap.
    import fastjsonschema

    root = _schema(schema)
    if not _has_whole_float(data):
        try:
            _compiled(schema)(data)
            return
        except fastjsonschema.JsonSchemaValueException:
            pass  # jsonschema says what is wrong
    best_match = _jsonschema().exceptions.best_match
    validator = _validator(schema)
    first = list(root.get("x-check-first", ()))

    def relevance(found: Any) -> tuple[Any, ...]:
        # best_match takes the highest: the x-check-first fields in their order, then its own rule.
        field = _field_path(found)
        rank = len(first) - first.index(field[0]) if field and field[0] in first else 0
        return (rank, *_default_relevance(found))

    found = best_match(validator.iter_errors(data), key=relevance)
    if found is None:
        return
    field = _field_path(found)
    problem, advice = _describe(found, root)
    see = root.get("x-see", f"See the format in coursekit/content/schemas/{schema}.schema.json.")
    advice = " ".join(part for part in (advice, see) if part)
    raise error(path, problem, field=".".join(str(p) for p in field) or None, advice=advice)


@cache
def _schema(schema: str) -> dict[str, Any]:
    file = schema_path(schema)
    try:
        root: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = ", ".join(sorted(p.name.removesuffix(".schema.json") for p in SCHEMAS.glob("*.schema.json")))
        raise ValueError(f"There is no schema '{schema}' ({file}); the schemas are {known}.") from None
    return root


@cache
def _compiled(schema: str) -> Callable[[Any], Any]:
    import fastjsonschema

    return fastjsonschema.compile(_schema(schema))


@cache
def _validator(schema: str) -> Any:
    jsonschema = _jsonschema()
    root = _schema(schema)
    base = jsonschema.validators.validator_for(root)
    base.check_schema(root)
    strict = base.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool))
    return jsonschema.validators.extend(base, type_checker=strict)(root)


def _jsonschema() -> Any:
    """The jsonschema package, imported without its optional IRI format checker if need be.

    With rfc3987-syntax installed (Jupyter brings it), importing jsonschema
    builds 38 Earley parsers, about 2 s, in every process that meets one
    invalid file: a class report would pay it on its first damaged answer
    file. coursekit's schemas use no "format", so that checker is left out
    (a None in sys.modules makes its import fail, which jsonschema allows
    for); its only effect is that this process's jsonschema does not check
    the "iri" formats. A process that already imported either is left as it is.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        import jsonschema.exceptions

        return jsonschema
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        import jsonschema.exceptions
    finally:
        del sys.modules["rfc3987_syntax"]
    return jsonschema


def _has_whole_float(data: Any) -> bool:
    """Whether a number like 4.0 is anywhere in the data (fastjsonschema would take it for an integer)."""
    stack = [data]  # a loop, not recursion: this runs on every response file a report reads
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is float:
            if value.is_integer():
                return True
        elif kind is dict:
            stack.extend(value.values())
        elif kind is list:
            stack.extend(value)
    return False


def _default_relevance(found: Any) -> Any:
    return _jsonschema().exceptions.relevance(found)


# --- wording ------------------------------------------------------------------


def _field_path(found: Any) -> list[str | int]:
    """The offending field: the instance path, plus the missing or unknown property's name."""
    field: list[str | int] = list(found.absolute_path)
    if found.validator == "required":
        field.append(_missing(found))
    elif found.validator == "additionalProperties" and found.validator_value is False:
        field.append(_unknown(found)[0])
    return field


def _missing(found: Any) -> str:
    return str(next(name for name in found.validator_value if name not in found.instance))


def _unknown(found: Any) -> list[str]:
    # additionalProperties weighs only the properties of its own schema object.
    known = set(found.schema.get("properties", {}))
    patterns = list(found.schema.get("patternProperties", {}))
    return sorted(name for name in found.instance
                  if name not in known and not any(re.search(p, name) for p in patterns))


def _describe(found: Any, root: Mapping[str, Any]) -> tuple[str, str]:
    """(what is wrong and what is allowed, what to do) for one validation error."""
    nodes = _instance_nodes(found, root)
    node = _merged(nodes, root)
    advice = next((n["x-advice"] for n in reversed(nodes) if "x-advice" in n), "")
    value, keyword = found.instance, found.validator
    if keyword == "required":
        name = _missing(found)
        props = {**node.get("properties", {}), **found.schema.get("properties", {})}
        prop = _merged([props.get(name, {})], root)
        return "is missing.", prop.get("x-advice") or f"Add \"{name}\": {_allowed(prop, root)}."
    if keyword == "additionalProperties" and found.validator_value is False:
        extra = _unknown(found)
        allowed = ", ".join(found.schema.get("properties", {})) or "none"
        verb = "is" if len(extra) == 2 else "are"
        others = f" (nor {verb} {', '.join(extra[1:])})" if len(extra) > 1 else ""
        return (f"is not a field of this format{others}; the fields here are {allowed}.",
                advice or "Check its spelling, or remove it.")
    if keyword == "type":
        return f"should be {_allowed(node, root)}, not {_found(value)}.", advice
    if keyword == "const":
        return f"is {_show(value)}, but it must be {_show(found.validator_value)}.", advice
    if keyword == "enum":
        choices = ", ".join(str(c) for c in found.validator_value)
        return f"is {_show(value)}; choose one of {choices}.", advice
    if keyword in ("minItems", "maxItems"):
        count = f"{len(value)} entr{'y' if len(value) == 1 else 'ies'}" if value else "no entries"
        return f"has {count}; give {_count(node)}.", advice
    if keyword in ("minProperties", "maxProperties"):
        return f"has {len(value) or 'no'} entries; give {_count(node, 'Properties')}.", advice
    return f"is {_show(value)}; it should be {_allowed(node, root)}.", advice


def _instance_nodes(found: Any, root: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The schemas that apply to the offending value itself, the most specific last.

    Walks the error's schema path from the top, following local "$ref"s (which
    the path leaves out), and starts afresh at each step down to a child of the
    instance; the failing keyword itself is the path's last part. A "$ref"'s
    target comes before the schema that refers to it, so that the referring
    schema's own words win.
    """
    nodes = _expand(root, root)
    steps = list(found.absolute_schema_path)[:-1]
    i = 0
    while i < len(steps):
        keyword = steps[i]
        holder = next((n for n in reversed(_expand(nodes[-1], root)) if keyword in n), None)
        if holder is None:
            break
        child = holder[keyword]
        if (keyword in _NAMED or isinstance(child, list)) and i + 1 < len(steps):
            i += 1
            child = child[steps[i]]
        if keyword in _TO_CHILD:
            nodes = []
        if not isinstance(child, Mapping):  # a boolean schema
            break
        nodes += _expand(child, root)
        i += 1
    return nodes


def _expand(node: Mapping[str, Any], root: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A schema preceded by the chain of schemas its "$ref" leads to (the last target first)."""
    chain = [node]
    while "$ref" in chain[0]:
        chain.insert(0, _resolve(chain[0]["$ref"], root))
    return chain


def _resolve(ref: str, root: Mapping[str, Any]) -> Mapping[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"Only local references are used in coursekit's schemas, not {ref!r}.")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return dict(node)


def _merged(nodes: Iterable[Mapping[str, Any]], root: Mapping[str, Any]) -> dict[str, Any]:
    """The keywords of schemas that apply to one value, "$ref"s followed; later ones win."""
    merged: dict[str, Any] = {}
    for node in nodes:
        for part in _expand(node, root):
            merged.update(part)
    return merged


def _allowed(node: Mapping[str, Any], root: Mapping[str, Any]) -> str:
    """What a schema allows, in words: "a whole number from 1 to 200", "an object with id and text"."""
    if "x-expected" in node:
        return str(node["x-expected"])
    if "const" in node:
        return _show(node["const"])
    if "enum" in node:
        return "one of " + ", ".join(str(c) for c in node["enum"])
    types = node.get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    words = " or ".join(_TYPE_WORDS.get(t, t) for t in types) or "a value"
    if set(types) & {"integer", "number"}:
        words += _bounds(node)
    elif "array" in types and any(k in node for k in ("minItems", "maxItems")):
        words += f" of {_count(node)} entries"
    elif "object" in types and node.get("required"):
        names = list(node["required"])
        words += " with " + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0])
    return words


def _bounds(node: Mapping[str, Any]) -> str:
    low, high = node.get("minimum", node.get("exclusiveMinimum")), node.get("maximum",
                                                                            node.get("exclusiveMaximum"))
    if low is not None and high is not None:
        return f" from {_number(low)} to {_number(high)}"
    if low is not None:
        return f" from {_number(low)} up" if "minimum" in node else f" above {_number(low)}"
    if high is not None:
        return f" up to {_number(high)}" if "maximum" in node else f" below {_number(high)}"
    return ""


def _count(node: Mapping[str, Any], what: str = "Items") -> str:
    low, high = node.get(f"min{what}"), node.get(f"max{what}")
    if low is not None and low == high:
        return f"exactly {low}"
    if low is not None and high is not None:
        return f"{low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def _number(value: float) -> str:
    return format(value, "g") if isinstance(value, float) else str(value)


def _found(value: Any) -> str:
    """A value and its kind, as a course author would name them: "text ('4')", "a list"."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, str):
        return f"text ({_show(value)})"
    if isinstance(value, int):
        return f"a whole number ({value})"
    if isinstance(value, float):
        # 4.0 is refused where a whole number is asked for; say why it is not one.
        kind = "a number with a decimal point" if value.is_integer() else "a number"
        return f"{kind} ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__} ({value})"  # TOML dates and times


def _show(value: Any) -> str:
    """A value quoted for a message; a long text by its beginning and its length in words."""
    if isinstance(value, str):
        if not value.strip():
            return "empty"
        if len(value) > 60:
            return f"'{value[:40].rstrip()}...' ({len(value.split())} words)"
        return repr(value)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 60 else ("a list" if isinstance(value, list) else "an object")
    return str(value)


def precompile() -> None:
    """Compile every schema's fast validator now, not on the first file read: the grading
    fork server calls this once, so that no notebook's kernel pays for it."""
    for file in sorted(SCHEMAS.glob("*.schema.json")):
        _compiled(file.name.removesuffix(".schema.json"))
