"""The labelled data sets: well-formed, and the dev set meets the structured-identifier floors.

The test sets (pii_test.jsonl, pii_test2.jsonl) are the held-out figures: it is only checked for format here, never
scored in tests, so nobody tunes against it by accident.
"""

import itertools
import json
from pathlib import Path

import pytest

from sochen.privacy import PII_TYPES

pytestmark = pytest.mark.unit

DATA = Path(__file__).resolve().parents[2] / "bench" / "data"


def _rows(name):
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("name", ["pii_dev.jsonl", "pii_test.jsonl", "pii_test2.jsonl"])
def test_data_set_is_well_formed(name):
    rows = _rows(name)
    assert len(rows) >= (400 if name != "pii_test2.jsonl" else 200)
    texts = set()
    for row in rows:
        assert set(row) == {"text", "entities"}
        text = row["text"]
        texts.add(text)
        spans = []
        for e in row["entities"]:
            assert e["type"] in PII_TYPES
            assert 0 <= e["start"] < e["end"] <= len(text)
            assert text[e["start"] : e["end"]].strip()
            spans.append((e["start"], e["end"]))
        spans.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), row
    assert len(texts) == len(rows)


def test_data_sets_are_distinct():
    dev, test, test2 = ({r["text"] for r in _rows(n)} for n in ("pii_dev.jsonl", "pii_test.jsonl", "pii_test2.jsonl"))
    assert not dev & test and not dev & test2 and not test & test2


def test_dev_set_floors_for_structured_identifiers():
    import sys

    sys.path.insert(0, str(DATA.parents[1]))
    try:
        from bench.pii import evaluate
    finally:
        sys.path.pop(0)
    result = evaluate(_rows("pii_dev.jsonl"), repeat=1)
    structured = result["structured"]
    assert structured["recall"] >= 0.99, structured
    assert structured["precision"] >= 0.97, structured
    assert result["per_type"]["health"]["recall"] >= 0.90
