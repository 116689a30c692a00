"""Generate the blind tenants' PDF and DOCX documents from their sources.

    PYTHONPATH=$PWD .venv/bin/python examples/blind/make_docs.py

Sources are in ``<tenant>/docs/.source/`` (hidden, so ingestion skips them), in the syntax of
``examples/tenants/make_docs.py``, whose layout code (right-to-left PDF lines that pypdf extracts in
logical order, right-to-left DOCX) this script reuses. That PDF layout has no tables and no brackets
(they would need mirrored glyphs), so the documents with tables or "(א)" sub-clauses are DOCX. The
Markdown and HTML documents are written by hand and committed as they are. Outputs are committed, so
nothing here runs at run time or in CI.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("_example_make_docs", HERE.parent / "tenants" / "make_docs.py")
assert _spec is not None and _spec.loader is not None
make_docs = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = make_docs
_spec.loader.exec_module(make_docs)

PDFS = {"physio": ["policies"], "archive": ["employment_agreement"]}
DOCXS = {"physio": ["price_list"], "archive": ["saas_agreement", "supplier_agreement"]}


def main() -> None:
    """Regenerate every PDF and DOCX and check that the PDFs extract in logical order."""
    make_docs.register_fonts()
    for tenant, names in PDFS.items():
        for name in names:
            doc = make_docs.parse_source(HERE / tenant / "docs" / ".source" / f"{name}.md")
            out = HERE / tenant / "docs" / f"{name}.pdf"
            pages = make_docs.render_pdf(doc, out)
            make_docs.check_pdf(doc, out)
            print(f"{out.relative_to(HERE)}: {out.stat().st_size:,} bytes, clause pages {pages}")
    for tenant, names in DOCXS.items():
        for name in names:
            doc = make_docs.parse_source(HERE / tenant / "docs" / ".source" / f"{name}.md")
            out = HERE / tenant / "docs" / f"{name}.docx"
            make_docs.render_docx(doc, out)
            print(f"{out.relative_to(HERE)}: {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
