"""The visitor's phone page: `GET /t/{token}` (the QR code on the ticket), its script and
style, and its live feed `GET /api/v1/status/{token}/events` (see feed.py).

Public and read-only: the token in the URL is the only key, and the page shows only what
status.py allows. The page works without JavaScript (server-rendered state, and a refresh in
`<noscript>`); its script is a file, so the Content-Security-Policy forbids inline scripts.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from shared import const
from shared.core.errors import NotFound
from shared.hub.context import hub_of
from shared.hub.pages import feed, status, texts, view

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
_MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def _load_assets() -> dict[str, tuple[bytes, str, str]]:
    """name -> (content, media type, version); the version in the URL lets phones cache them."""
    found = {}
    for name in ("phone.js", "phone.css"):
        content = resources.files(__package__).joinpath(name).read_bytes()
        version = hashlib.sha256(content).hexdigest()[:12]
        found[name] = (content, _MEDIA_TYPES[name[name.rindex(".") :]], version)
    return found


_ASSETS = _load_assets()
ASSET_URLS = {name: f"{ASSET_PREFIX}/{name}?v={v}" for name, (_, _, v) in _ASSETS.items()}


@router.get(PAGE_PREFIX + "/{token}", response_class=HTMLResponse, include_in_schema=False)
async def phone_page(request: Request, token: str, lang: str | None = None) -> HTMLResponse:
    hub = hub_of(request)
    state = hub.broadcaster.state
    ticket = status.find_valid(state, token, hub.config, hub.service.clock.now())
    offered = texts.languages(hub.config)
    accept = request.headers.get("accept-language")
    chosen = texts.choose(offered, lang, ticket.lang if ticket else None, accept)
    public = (
        status.public_status(state, hub.config, ticket, hub.service.clock.now())
        if ticket is not None
        else None
    )
    quoted = quote(token, safe="")
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
    if name not in _ASSETS:
        raise NotFound(f"No such file: {name}.")
    content, media_type, _ = _ASSETS[name]
    headers = {
        "Cache-Control": "public, max-age=86400",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(content, media_type=media_type, headers=headers)


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
