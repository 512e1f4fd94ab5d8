"""Validation of data files against coursekit's JSON Schemas (placeholder until merged)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from coursekit.errors import DataFileError

SCHEMAS = Path(__file__).parent / "schemas"


def schema_path(schema: str) -> Path:
    return SCHEMAS / f"{schema}.schema.json"


@cache
def _validator(schema: str) -> Any:
    import jsonschema

    raw = json.loads(schema_path(schema).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(raw)


def validate(data: Any, schema: str, path: str | Path, error: type[DataFileError] = DataFileError) -> None:
    from jsonschema.exceptions import best_match

    found = best_match(_validator(schema).iter_errors(data))
    if found is None:
        return
    field = ".".join(str(p) for p in found.absolute_path) or None
    raise error(path, found.message + ".", field=field,
                advice=f"See the format in {schema_path(schema).name}.")
