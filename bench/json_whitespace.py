"""Does llama.cpp let the model indent its JSON? Per chat-template path, the old request against the new one.

    python bench/json_whitespace.py [--model-path FILE] [--template-file TEMPLATE.jinja]

Starts xllamacpp's server on the GGUF file (default: the bundled Gemma 3 270M) once per template path:

- ``builtin``: the built-in ``gemma`` template, no Jinja (how the provider runs the bundled model);
- ``file``: Jinja with the file's own template (llama.cpp's chatml when the file has none), the path of
  a fetched model such as Qwen;
- ``given``: Jinja with ``--template-file`` (e.g. a model's ``chat_template`` saved from its card).

On each it sends one booking request whose system prompt asks for indented JSON, twice: as the provider
used to (``response_format`` with ``x-guidance`` in the schema) and as it does now (``grammar`` from
:func:`sochen.llm.providers.llamacpp.json_grammar`), and prints the text's newline count and the output
tokens. One thread, niced by the caller; no personal data.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from pathlib import Path
from typing import Literal

import requests
import xllamacpp
from pydantic import BaseModel, Field

from sochen.llm.providers.base import strict_json_schema
from sochen.llm.providers.llamacpp import default_model_path, json_grammar


class Booking(BaseModel):
    service: str = Field(max_length=40)
    day: Literal["ראשון", "שני", "שלישי", "רביעי", "חמישי"]
    urgent: bool


MESSAGES = [
    {
        "role": "system",
        "content": "Reply with JSON formatted for people to read: one key per line, two-space indentation, like this:\n"
        '{\n  "service": "...",\n  "day": "...",\n  "urgent": false\n}',
    },
    {"role": "user", "content": "אני צריכה ניקוי אבנית ביום שלישי, זה לא דחוף."},
]


def requests_to_compare() -> dict[str, dict[str, object]]:
    """The old request's structured-output part and the new one's."""
    old_schema = {**strict_json_schema(Booking), "x-guidance": {"whitespace_flexible": False}}
    return {
        "response_format": {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "Booking", "schema": old_schema, "strict": True},
            }
        },
        "grammar": {"grammar": json_grammar(Booking)},
    }


def main() -> None:
    """Run each template path and print one JSON line per request."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-path", type=Path)
    ap.add_argument("--template-file", type=Path)
    args = ap.parse_args()
    path = str(args.model_path or default_model_path())
    paths: dict[str, tuple[str, bool]] = {"builtin": ("gemma", False), "file": ("", True)}
    if args.template_file:
        paths["given"] = (args.template_file.read_text(encoding="utf-8"), True)
    for name, (template, jinja) in paths.items():
        params = xllamacpp.CommonParams()
        params.model.path = path
        params.hostnames = ["127.0.0.1"]
        params.port = 0
        params.n_ctx = 1024
        params.verbosity = -1
        params.warmup = False
        params.cpuparams.n_threads = 1
        params.cpuparams_batch.n_threads = 1
        params.use_jinja = jinja
        if template:
            params.chat_template = template
        server = xllamacpp.Server(params)
        url = str(server.listening_address)
        for label, extra in requests_to_compare().items():
            body = {"model": "m", "messages": MESSAGES, "temperature": 0, "max_tokens": 120, **extra}
            started = time.perf_counter()
            data = requests.post(f"{url}/v1/chat/completions", json=body, timeout=600).json()
            text = data["choices"][0]["message"]["content"]
            row = {
                "template": name,
                "request": label,
                "newlines": text.count("\n"),
                "output_tokens": data["usage"]["completion_tokens"],
                "seconds": round(time.perf_counter() - started, 1),
            }
            print(json.dumps(row), flush=True)
        server = None  # xllamacpp's Server stops in its destructor
        gc.collect()


if __name__ == "__main__":
    main()
