"""Ask a tenant's knowledge base: retrieve, assess, route, answer with verified citations, record.

The answer itself comes from the answering component (:mod:`sochen.agents.answering`), the same one the
agent's respond step uses; this module is its edge for `sochen ask` and ``POST /v1/{tenant}/ask``: it
resolves what the component needs (the tenant's library, the routed model) and records the route.

The contract of :func:`ask`:
- The question is assessed by the privacy guard; its sensitivity and complexity drive the router,
  which records every attempt in the ledger (``llm_calls``).
- Sensitive questions go to a local model or nowhere: when no local model can answer, the result
  is the persona's holding reply and ``handoff`` is true — never an API call. Where no model is
  configured and no conversation is behind the question (`sochen ask`, ``/v1/ask``), the model-free
  answer on this machine was all there was to try and no person can come back to the asker: a question
  that not even a looser reading of the documents answers gets the not-found reply, not a promise that
  someone will reply. Sensitivity is assessed with the tenant's own terms, as on the agent's path.
- Retrieved passages are the tenant's documents; personal data in them (a party's ID number, a
  patient's name) is redacted before the passages reach an API provider, and put back in this
  process when the answer returns. Local providers see the passages as they are.
- The answer is grounded or it is not given: quotes and figures are checked against the cited passages
  (:func:`sochen.llm.grounded_answer`); when no model may answer and the tenant allows it, the clause that
  answers is quoted without a model (``mode: extractive``); when the documents do not contain the answer,
  the persona's not-found reply says so.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from ..config import Settings, TenantConfig
from ..db.session import session_scope
from ..llm import (
    Answer,
    BudgetState,
    HealthBoard,
    Passage,
    Provider,
    RouteDecision,
    RouteRequest,
    build_provider,
    grounded_answer,
    month_spend,
    route,
    run_routed,
)
from ..llm.providers.base import Completion, Message, ProviderConfigError, Truncated
from ..llm.router import budget_matters
from ..privacy import assess, redact
from ..rag.retriever import Retriever, SearchHit
from ..tenancy import ResolvedTenant, resolver_for
from .answering import Library, answer
from .answering.extractive import without_writer
from .answering.language import detect, search_query

__all__ = ["AskResult", "ask", "ask_live", "build_available_providers", "library_for"]

_SEPARATOR = "\n\u2063\u2063\u2063\n"  # invisible separators: survive redaction, never in documents


@dataclass
class AskResult:
    """Everything `sochen ask` prints."""

    question: str
    answer: Answer
    hits: list[SearchHit]
    decision: RouteDecision | None = None
    provider: str | None = None
    model: str | None = None
    request_id: str | None = None
    handoff: bool = False
    usage: dict[str, float] = field(default_factory=dict)
    final_reason: str | None = None
    """Why the request ended as it did when that differs from the route reason (e.g. 'all_failed')."""
    problems: dict[str, str] = field(default_factory=dict)
    """Providers that could not be built (e.g. an API key variable that is not set), by name."""
    mode: str = "none"
    """Which mode wrote the reply: 'generative' (a model), 'extractive' (quotes, no model) or 'none' (a template)."""
    calculation: str | None = None
    """The arithmetic shown with an answer computed from two quoted facts."""
    reason: str = ""
    """Why the answerer ended as it did ('comparison', 'no_match', 'no_such_clause', …)."""
    model_answer: str | None = None
    """What became of the model's answer when one was asked for: 'answered' (verified and shown),
    'not_found' (the model said the passages do not answer), 'ungrounded' (rejected: a quote or a
    figure not in the cited passages, or an answer off the question or in another language than the
    question's) or 'degraded' (no usable answer: an error, a timeout, invalid
    JSON); None when no model was asked. A rejected or missing answer falls back to extractive."""
    model_rejected: str = ""
    """Why the model's answer was withheld or unusable ('quotes', 'figures', 'off_topic', 'absent_subject',
    'unknown_name', 'wrong_language', 'cut_off', 'unparseable'); empty otherwise."""
    sensitive: bool = False
    """Whether the question carries personal data (the privacy assessment; the route's own when a model was routed)."""
    sensitivity_types: frozenset[str] = frozenset()

    def as_dict(self) -> dict[str, Any]:
        """The JSON document of `sochen ask --json`."""
        decision = self.decision
        return {
            "question": self.question,
            "answer": self.answer.text,
            "status": self.answer.status,
            "mode": self.mode,
            "handoff": self.handoff,
            "calculation": self.calculation,
            "citations": [
                {
                    "n": c.n,
                    "document_id": c.passage.document_id,
                    "title": c.passage.title,
                    "section": c.passage.section,
                    "page": c.passage.page,
                    "chunk_id": c.passage.chunk_id,
                    "quote": c.quote,
                }
                for c in self.answer.citations
            ],
            "route": {
                "route": decision.route if decision else "none",
                "provider": self.provider,
                "model": self.model,
                "reason": decision.reason.code if decision else self._unrouted_reason(),
                "reason_text": decision.reason.he if decision else "",
                "final_reason": self.final_reason,
                "sensitive": decision.sensitive if decision else self.sensitive,
                "sensitivity_types": sorted(decision.sensitivity_types if decision else self.sensitivity_types),
                "complexity": round(decision.complexity, 3) if decision else None,
                "model_answer": self.model_answer,
                "model_rejected": self.model_rejected,
            },
            "usage": self.usage,
            "provider_problems": self.problems,
            "request_id": self.request_id,
        }

    def _unrouted_reason(self) -> str:
        reason = self.reason or "no_passages"
        if self.sensitive and self.mode == "extractive" and self.answer.status == "answered":
            # Quoted on this machine from the tenant's own documents: no model saw the sensitive question.
            return f"extractive_sensitive_local_{self.reason}".rstrip("_")
        return reason


def library_for(retriever: Retriever, tenant: ResolvedTenant, *, neighbours: int | None = None) -> Library:
    """The answerer's view of a tenant's knowledge base: its search, term weights, titles and chunks.

    Its search gives the first `neighbours` hits with their neighbours (``Retriever.with_neighbours``; default:
    the tenant's ``knowledge.retrieval.neighbours``; a compared configuration passes its own).
    """
    catalog = retriever.catalog(tenant)
    key = (tenant.id, catalog.revision, id(catalog))
    cached = _LIBRARIES.get(key)
    if cached is None:
        chunks = tuple(SearchHit.of(c) for c in catalog.chunks)
        documents = {c.document_id: c.title for c in catalog.chunks}
        cached = (chunks, documents)
        if len(_LIBRARIES) >= 16:
            _LIBRARIES.pop(next(iter(_LIBRARIES)))
        _LIBRARIES[key] = cached
    chunks, documents = cached

    vectors: dict[str, Any] = {}

    def search(query: str, *, top_k: int, document_ids: Sequence[str] | None = None) -> list[SearchHit]:
        # One question may be searched several ways (all documents, then each named one): embed it once.
        if not query.strip():
            return []
        vector = vectors.get(query)
        if vector is None:
            vector = vectors[query] = retriever.embedder(tenant).embed_query(query)
        hits = retriever.search_vector(tenant, query, vector, top_k=top_k, document_ids=document_ids)
        return retriever.with_neighbours(tenant, hits, first=neighbours)

    return Library(search=search, idf=catalog.bm25.idf, documents=documents, chunks=chunks)


_LIBRARIES: dict[tuple[str, int, int], tuple[tuple[SearchHit, ...], dict[str, str]]] = {}


def ask_live(
    settings: Settings,
    tenant: str,
    question: str,
    *,
    retriever: Retriever | None = None,
    providers: Mapping[str, Provider] | None = None,
    top_k: int | None = None,
) -> dict[str, Any]:
    """:func:`ask` the tenant's live version (the promoted one, never a newer one): the answer as JSON.

    The edge of ``POST /v1/{tenant}/ask`` and the console's archive page; ``version`` in the result
    names the version that answered. Raises ``TenantNotFoundError`` / ``TenantNotLiveError``.
    """
    live = resolver_for(settings).live(tenant)
    result = ask(settings, live, question, retriever=retriever, providers=providers, top_k=top_k)
    data = result.as_dict()
    data["version"] = live.version
    return data


def ask(
    settings: Settings,
    tenant: str | ResolvedTenant,
    question: str,
    *,
    retriever: Retriever | None = None,
    providers: Mapping[str, Provider] | None = None,
    health: HealthBoard | None = None,
    env: Mapping[str, str] | None = None,
    top_k: int | None = None,
    conversation_id: str | None = None,
    hits: list[SearchHit] | None = None,
    config: TenantConfig | None = None,
    version: int | None = None,
    sensitive: bool | None = None,
    intent: str = "",
    now: datetime | None = None,
) -> AskResult:
    """Answer `question` from `tenant`'s documents (see the module docstring); `hits` skips the search.

    Live traffic passes the :class:`ResolvedTenant` its edge resolved; a slug means a person's tool
    (``version``, default the newest). ``config`` overrides the configuration (a compared variant).
    """
    started = time.perf_counter()
    retriever = retriever or Retriever(settings)
    ctx = tenant if isinstance(tenant, ResolvedTenant) else retriever.tenant(tenant, version=version)
    cfg = config or ctx.config
    library = library_for(retriever, ctx, neighbours=cfg.knowledge.retrieval.neighbours)
    if hits is None:
        hits = list(
            library.search(
                search_query(without_writer(question), cfg.agent.service_aliases),
                top_k=top_k or cfg.knowledge.retrieval.top_k,
            )
        )
    # The tenant's own terms (its documents, services, name) are no one's personal data, as on the agent's path:
    # 'כמה עולה עיסוי רפואי?' names a service, not the asker's health.
    from .nodes import Deps, business_terms

    assessment = assess(question, business=business_terms(Deps(settings, ctx, retriever)))
    holder: dict[str, Any] = {}
    problems: dict[str, str] = {}
    generate = None
    if cfg.agent.answer_mode != "extractive" and cfg.models.providers:
        health = health or HealthBoard()
        if providers is None:
            providers, problems = build_available_providers(cfg.models, settings, env, health)

        def generate(passages: list[Passage]) -> Answer:
            return _generate(
                question, passages, assessment, cfg, settings, providers or {}, health, conversation_id, holder
            )

    is_sensitive = assessment.sensitive if sensitive is None else sensitive
    reply = answer(
        question,
        config=cfg,
        library=library,
        hits=hits,
        generate=generate,
        sensitive=is_sensitive,
        intent=intent,
        now=now,
        hold_sensitive=conversation_id is not None or generate is not None,
    )
    result = holder.get("result")
    decision = result.decision if result is not None else holder.get("planned")
    completion = result.completion if result is not None else None
    shown = Answer(reply.status, reply.text, reply.citations, completion=completion)
    return AskResult(
        question,
        shown,
        hits,
        decision,
        provider=result.provider if result is not None else None,
        model=completion.model if completion is not None else None,
        request_id=result.request_id if result is not None else None,
        handoff=reply.handoff,
        usage=_usage(result, started),
        final_reason=result.final_reason if result is not None else None,
        problems=problems,
        mode=reply.mode,
        calculation=reply.calculation,
        reason=reply.reason,
        model_answer=reply.generated.status if reply.generated is not None else None,
        model_rejected=reply.generated.rejected if reply.generated is not None else "",
        sensitive=is_sensitive,
        sensitivity_types=frozenset(assessment.types) if is_sensitive else frozenset(),
    )


def _generate(
    question: str,
    passages: list[Passage],
    assessment: Any,
    cfg: TenantConfig,
    settings: Settings,
    providers: Mapping[str, Provider],
    health: HealthBoard,
    conversation_id: str | None,
    holder: dict[str, Any],
) -> Answer:
    """The routed model's grounded answer over `passages` (redacted for API providers, restored after)."""
    request = RouteRequest(question, assessment, task="answer", context_tokens=sum(len(p.text) for p in passages) // 3)
    with session_scope(settings.database_url) as session:
        budget = (
            BudgetState(month_spend(session, cfg.slug, tz=cfg.timezone))
            if budget_matters(request, cfg.models)
            else None
        )
        planned = route(request, cfg.models, budget=budget, health=health)
        holder["planned"] = planned
        to_api = any(cfg.models.providers[n].locality == "api" for n in planned.chain)
        shown, restore = _redacted(passages) if to_api else (passages, None)

        def runner(messages: list[Message], schema: type[BaseModel]) -> Completion | None:
            result = run_routed(
                request,
                messages,
                tenant=cfg.slug,
                models=cfg.models,
                providers=providers,
                session=session,
                health=health,
                budget=budget,
                schema=schema,
                conversation_id=conversation_id,
                timezone=cfg.timezone,
            )
            holder["result"] = result
            return result.completion

        generated = grounded_answer(question, shown, runner, persona=cfg.persona, language=detect(question))
    result = holder.get("result")
    if generated.status == "degraded" and result is not None and any(isinstance(e, Truncated) for e in result.errors):
        generated = replace(generated, rejected="cut_off")  # the model wrote until the token cap
    if restore is not None:
        generated = _restore(generated, restore, passages)
    return generated


def build_available_providers(
    models: Any, settings: Settings, env: Mapping[str, str] | None, health: HealthBoard
) -> tuple[dict[str, Provider], dict[str, str]]:
    """Build every provider that can be built; the others are tripped on the health board and reported."""
    providers: dict[str, Provider] = {}
    problems: dict[str, str] = {}
    for name, provider_cfg in models.providers.items():
        try:
            providers[name] = build_provider(name, provider_cfg, settings=settings, env=env)
        except ProviderConfigError as exc:
            problems[name] = str(exc)
            health.trip(name, for_s=3600)
    return providers, problems


def _usage(result: Any, started: float) -> dict[str, float]:
    tokens_in = tokens_out = 0
    cost = 0.0
    for attempt in getattr(result, "attempts", []) or []:
        tokens_in += attempt.tokens_in
        tokens_out += attempt.tokens_out
        cost += attempt.cost_usd
    return {
        "tokens_in": tokens_in,
        "tokens_out": tokens_out,
        "cost_usd": round(cost, 6),
        "latency_ms": round((time.perf_counter() - started) * 1e3, 1),
    }


def _redacted(passages: list[Passage]) -> tuple[list[Passage], Any]:
    """Passages with personal data replaced by placeholders, numbered consistently across passages."""
    joined = redact(_SEPARATOR.join(p.text for p in passages))
    texts = joined.text.split(_SEPARATOR)
    if len(texts) != len(passages):  # a placeholder swallowed a separator: redact one by one instead
        return [
            Passage(p.n, redact(p.text).text, p.document_id, p.title, p.section, p.page, p.chunk_id) for p in passages
        ], joined
    shown = [
        Passage(p.n, t, p.document_id, p.title, p.section, p.page, p.chunk_id)
        for p, t in zip(passages, texts, strict=True)
    ]
    return shown, joined


def _restore(answer: Answer, redaction: Any, originals: list[Passage]) -> Answer:
    """Put personal data back into the answer and quotes, and cite the original passages."""
    from ..llm import Citation

    by_n = {p.n: p for p in originals}
    citations = tuple(Citation(c.n, redaction.restore(c.quote), by_n[c.n]) for c in answer.citations)
    return replace(answer, text=redaction.restore(answer.text), citations=citations)
