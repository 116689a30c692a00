"""``sochen ask``: a grounded Hebrew answer from a tenant's documents, routed by its sovereignty policy."""

from __future__ import annotations

import typer
from rich.panel import Panel

from ..config import get_settings
from .app import app, console, fail, print_json
from .context import ready_database_url


@app.command("ask")
def ask_command(
    question: str = typer.Argument(..., help="The question, in Hebrew or any language."),
    tenant: str = typer.Option(..., "--tenant", "-t", help="Tenant slug."),
    top_k: int = typer.Option(5, "--top-k", "-k", min=1, max=20, help="Passages retrieved."),
    json_out: bool = typer.Option(False, "--json", help="Print the answer, citations, route and usage as JSON."),
) -> None:
    """Answer a question from the tenant's documents, with numbered citations and the route taken."""
    from ..agents.ask import ask
    from ..db.tenants import TenantNotFoundError
    from ..llm.providers.base import ProviderConfigError

    if not question.strip():
        fail("the question is empty")
    ready_database_url()
    try:
        result = ask(get_settings(), tenant, question, top_k=top_k)
    except TenantNotFoundError as exc:
        fail(str(exc))
    except ProviderConfigError as exc:
        fail(f"model provider configuration: {exc}")
    if json_out:
        print_json(result.as_dict())
        return
    data = result.as_dict()
    route = data["route"]
    console.print(Panel("\u2067" + data["answer"] + "\u2069", title=f"תשובה ({data['status']})"), highlight=False)
    for c in data["citations"]:
        where = ", ".join(str(p) for p in (c["title"], c["section"], f"עמ' {c['page']}" if c["page"] else "") if p)
        console.print(f"  [{c['n']}] {where}: \u2067«{c['quote']}»\u2069", highlight=False, markup=False)
    console.print(
        f"route: {route['route']} · {route['provider'] or '—'} {route['model'] or ''} · {route['reason']} "
        f"({route['reason_text']}) · final={route['final_reason']} · sensitive={route['sensitive']} "
        f"{','.join(route['sensitivity_types'])}",
        highlight=False,
        markup=False,
    )
    usage = data["usage"]
    console.print(
        f"usage: {usage['tokens_in']}→{usage['tokens_out']} tokens · ${usage['cost_usd']} · {usage['latency_ms']} ms",
        highlight=False,
    )
