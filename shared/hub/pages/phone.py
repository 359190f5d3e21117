"""The visitor's phone page: `GET /t/{token}` (the QR code on the ticket), its script and
style, and its live feed `GET /api/v1/status/{token}/events` (see feed.py).

Public and read-only: the token in the URL is the only key, and the page shows only what
status.py allows. The page works without JavaScript (server-rendered state, and a refresh in
`<noscript>`); its script is a file, so the Content-Security-Policy forbids inline scripts.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from shared import const, protocol
from shared.hub import hours
from shared.hub.context import hub_of
from shared.hub.pages import feed, status, texts, view
from shared.hub.pages.assets import Assets

router = APIRouter()

PAGE_PREFIX = "/t"
ASSET_PREFIX = f"{PAGE_PREFIX}/static"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the page's URL holds the ticket's token
    "X-Robots-Tag": "noindex, nofollow",
}


_ASSETS = Assets(ASSET_PREFIX, "phone.js", "phone.css")
ASSET_URLS = _ASSETS.urls


@router.get(PAGE_PREFIX + "/{token}", response_class=HTMLResponse, include_in_schema=False)
async def phone_page(request: Request, token: str, lang: str | None = None) -> HTMLResponse:
    hub = hub_of(request)
    state = hub.broadcaster.state
    ticket = status.find_valid(state, token, hub.config, hub.service.clock.now())
    offered = texts.languages(hub.config)
    accept = request.headers.get("accept-language")
    chosen = texts.choose(offered, lang, ticket.lang if ticket else None, accept)
    now = hub.service.clock.now()
    public = (
        status.public_status(state, hub.config, ticket, now, hub.estimates(state, now))
        if ticket is not None
        else None
    )
    quoted = quote(token, safe="")
    # The quieter hours as GET /office gives them (learned, else declared, else none), for the
    # ticket's service: when to come next time without waiting long.
    learned = await hours.current(request.app)
    office = protocol.office_to_dict(hub.config, learned.office, learned.services)
    own = next((s for s in office["services"] if ticket and s["code"] == ticket.service), office)
    page = view.Page(
        token=token,
        lang=chosen,
        offered=offered,
        office=hub.config.name,
        status=public,
        texts=texts.texts(chosen),
        assets=ASSET_URLS,
        events_url=f"{const.API_PREFIX}/status/{quoted}/events",
        status_url=f"{const.API_PREFIX}/status/{quoted}",
        quieter=view.Quieter(own["quieter_hours_source"], own["quieter_hours"]),
    )
    headers = {
        **SECURITY_HEADERS,
        "Cache-Control": "no-store",
        "Content-Language": chosen,
        "Vary": "Accept-Language",
    }
    # An unknown token is a 404 for machines, and a clear page for the visitor.
    return HTMLResponse(view.render(page), status_code=200 if public else 404, headers=headers)


@router.get(ASSET_PREFIX + "/{name}", include_in_schema=False)
async def phone_asset(name: str) -> Response:
    return _ASSETS.response(name)


@router.get(
    const.API_PREFIX + "/status/{token}/events",
    tags=["public"],
    status_code=200,
    response_class=feed.EventStream,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "The status, then changes."},
        404: {"description": "Unknown or expired ticket."},
        503: {"description": "Too many live pages; poll GET /status/{token} instead."},
    },
)
async def status_events(request: Request, token: str) -> feed.EventStream:
    """A ticket's public status as server-sent events: at once, then at every change."""
    return feed.open_feed(request.app, hub_of(request), token)
