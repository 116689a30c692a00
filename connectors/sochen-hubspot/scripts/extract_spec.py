"""Extract the part of HubSpot's OpenAPI documents that the fake validates against.

Run it on a checkout of https://github.com/HubSpot/HubSpot-public-api-spec-collection::

    python scripts/extract_spec.py /path/to/HubSpot-public-api-spec-collection > \
        src/sochen_hubspot/data/hubspot_crm_openapi_subset.json

It keeps, for the operations the connector uses, the method and path, the request body schema,
the success statuses with their response schema, and the OAuth scopes; and the component schemas
they reference, without descriptions and examples (interface facts only: names, types, required,
enumerations, formats).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

SOURCES = {
    "contacts": "PublicApiSpecs/CRM/Contacts/Rollouts/424/v3/contacts.json",
    "tasks": "PublicApiSpecs/CRM/Tasks/Rollouts/424/v3/tasks.json",
    "notes": "PublicApiSpecs/CRM/Notes/Rollouts/424/v3/notes.json",
    "associations": "PublicApiSpecs/CRM/Associations/Rollouts/130902/v4/associations.json",
    "properties": "PublicApiSpecs/CRM/Properties/Rollouts/145899/v3/properties.json",
}
OPERATIONS = {
    "contacts": [
        ("get", "/crm/v3/objects/contacts"),
        ("post", "/crm/v3/objects/contacts"),
        ("get", "/crm/v3/objects/contacts/{contactId}"),
        ("patch", "/crm/v3/objects/contacts/{contactId}"),
        ("post", "/crm/v3/objects/contacts/search"),
        ("post", "/crm/v3/objects/contacts/batch/upsert"),
    ],
    "tasks": [
        ("post", "/crm/v3/objects/tasks"),
        ("get", "/crm/v3/objects/tasks/{taskId}"),
        ("post", "/crm/v3/objects/tasks/search"),
        ("post", "/crm/v3/objects/tasks/batch/read"),
    ],
    "notes": [
        ("post", "/crm/v3/objects/notes"),
        ("get", "/crm/v3/objects/notes/{noteId}"),
        ("post", "/crm/v3/objects/notes/batch/read"),
    ],
    "associations": [
        ("get", "/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}"),
        ("put", "/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}"),
    ],
    "properties": [("get", "/crm/v3/properties/{objectType}/{propertyName}")],
}
_DROP = {"description", "example", "summary", "title"}


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in _DROP}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def main(checkout: str) -> None:
    """Print the subset extracted from the checkout's HEAD."""
    repo = Path(checkout)
    commit = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    operations: list[dict[str, Any]] = []
    schemas: dict[str, Any] = {}
    for family, path in SOURCES.items():
        text = subprocess.run(
            ["git", "-C", str(repo), "show", f"HEAD:{path}"], capture_output=True, text=True, check=True
        ).stdout
        document = json.loads(text)
        components = document["components"]["schemas"]
        wanted: set[str] = {"Error"}  # the body of every error answer (components/responses/Error)
        for method, template in OPERATIONS[family]:
            op = document["paths"][template][method]
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
            responses = {
                code: answer.get("content", {}).get("application/json", {}).get("schema")
                for code, answer in op["responses"].items()
                if code != "default"
            }
            scopes = sorted({s for option in op.get("security", []) for s in option.get("oauth2", [])})
            entry = {
                "family": family,
                "method": method.upper(),
                "path": template,
                "request": _strip(body),
                "request_required": bool((op.get("requestBody") or {}).get("required")),
                "responses": _strip(responses),
                "scopes_any_of": scopes,
                "source": path,
            }
            operations.append(entry)
            _refs(entry, wanted)
        pending = set(wanted)
        while pending:
            name = pending.pop()
            if name in schemas:
                continue
            schemas[name] = _strip(components[name])
            more: set[str] = set()
            _refs(schemas[name], more)
            pending |= more - set(schemas)
    out = {
        "source": {
            "repository": "https://github.com/HubSpot/HubSpot-public-api-spec-collection",
            "commit": commit,
            "files": list(SOURCES.values()),
            "licence": (
                "The upstream README says the specifications are proprietary to HubSpot and not licensed "
                "for external use. This file keeps only interface facts needed to interoperate with "
                "HubSpot's public API (operation paths, field names, types, required fields, enumerations, "
                "scopes), not HubSpot's documentation text; the same schemas are published under "
                "Apache-2.0 as the models of hubspot-api-client (hubspot.crm.*.models)."
            ),
        },
        "operations": operations,
        "schemas": dict(sorted(schemas.items())),
    }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
