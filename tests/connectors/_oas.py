"""Just enough JSON Schema to check bodies against Zoho's OpenAPI documents (no extra dependency).

Supports local ``$ref``, ``type``, ``properties``, ``required``, ``items``, ``enum`` and ``oneOf``;
references to other documents (users.json, modules.json) are not followed and accept anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "integer": int, "number": (int, float)}


class Spec:
    def __init__(self, path: Path) -> None:
        self.doc = json.loads(path.read_text(encoding="utf-8"))

    def schema(self, name: str) -> dict[str, Any]:
        return self.doc["components"]["schemas"][name]

    def errors(self, value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
        ref = schema.get("$ref")
        if ref is not None:
            if not ref.startswith("#/"):
                return []
            target: Any = self.doc
            for part in ref[2:].split("/"):
                target = target[part]
            return self.errors(value, target, where)
        if value is None:
            return []  # Zoho sends nulls the documents do not declare (duplicate_field on insert)
        if "oneOf" in schema:
            if not any(not self.errors(value, s, where) for s in schema["oneOf"]):
                return [f"{where}: matches none of oneOf"]
            return []
        kind = schema.get("type")
        if (kind and not isinstance(value, _TYPES[kind])) or (
            kind in ("integer", "number") and isinstance(value, bool)
        ):
            return [f"{where}: expected {kind}, got {type(value).__name__}"]
        if "enum" in schema and value not in schema["enum"]:
            return [f"{where}: {value!r} not in {schema['enum']}"]
        out: list[str] = []
        if isinstance(value, dict):
            out += [f"{where}.{k}: required" for k in schema.get("required", []) if k not in value]
            for key, sub in schema.get("properties", {}).items():
                if key in value:
                    out += self.errors(value[key], sub, f"{where}.{key}")
        if isinstance(value, list) and "items" in schema:
            for i, item in enumerate(value):
                out += self.errors(item, schema["items"], f"{where}[{i}]")
        return out
