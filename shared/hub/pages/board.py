"""The web board for any TV: `GET /board` (HTML), its script and style, the JSON route
`GET /api/v1/board` (for polling) and the live feed `GET /api/v1/board/events` (board_feed.py).

Public and read-only: the board shows what the wall display shows and nothing personal (see
board_state.py). Query: `?services=A,B`, `?counters=G1,G2` (one TV per room), `?lang=` (default
the office's first language), `?animation=off` (no pulsing highlight). Its script is a file, so
the Content-Security-Policy forbids inline scripts and styles, as on the phone page.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from shared import const, i18n
from shared.config import OfficeConfig
from shared.hub import hours
from shared.hub.context import hub_of
from shared.hub.pages import board_feed, board_state, board_view, feed
from shared.hub.pages.assets import Assets
from shared.hub.pages.phone import SECURITY_HEADERS

router = APIRouter()

PAGE = "/board"
ASSET_PREFIX = f"{PAGE}/static"


_ASSETS = Assets(ASSET_PREFIX, "board.js", "board.css")
ASSET_URLS = _ASSETS.urls


def language(config: OfficeConfig, asked: str | None) -> str:
    """`?lang=` when the board speaks it, else the office's first language it speaks."""
    have = set(i18n.available(board_state.DOMAIN))
    offered = [lang for lang in config.languages if lang in have] or ["fr"]
    return asked if asked in offered else offered[0]


def _timing() -> dict[str, float]:
    c = const
    return {
        "stale_ms": c.BOARD_STALE_S * 1000, "stale_check_ms": c.BOARD_STALE_CHECK_S * 1000,
        "poll_ms": c.BOARD_POLL_INTERVAL_S * 1000, "retry_max_ms": c.BOARD_RECONNECT_MAX_S * 1000,
        "announce_max_age_ms": c.BOARD_ANNOUNCE_MAX_AGE_S * 1000,
        "highlight_ms": c.BOARD_HIGHLIGHT_S * 1000,
        "chime_margin_ms": c.BOARD_CHIME_MARGIN_S * 1000,
        "speech_chars_per_s": c.BOARD_SPEECH_MIN_CHARS_PER_S,
        "speech_margin_ms": c.BOARD_SPEECH_MARGIN_S * 1000,
    }  # fmt: skip


@router.get(PAGE, response_class=HTMLResponse, include_in_schema=False)
async def board_page(
    request: Request,
    services: str | None = None,
    counters: str | None = None,
    lang: str | None = None,
    animation: str | None = None,
) -> HTMLResponse:
    hub = hub_of(request)
    only = board_state.Filter.parse(hub.config, services, counters)
    chosen = language(hub.config, lang)
    query = "&".join(filter(None, [only.query(), f"lang={chosen}"]))
    page = board_view.Page(
        lang=chosen,
        board=board_feed.board_now(hub, only, chosen, await hours.current(request.app)),
        assets=ASSET_URLS,
        events_url=f"{const.API_PREFIX}/board/events?{query}",
        board_url=f"{const.API_PREFIX}/board?{query}",
        animation=animation != "off",
        timing=_timing(),
    )
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-store", "Content-Language": chosen}
    return HTMLResponse(board_view.render(page), headers=headers)


@router.get(ASSET_PREFIX + "/{name}", include_in_schema=False)
async def board_asset(name: str) -> Response:
    return _ASSETS.response(name)


@router.get(const.API_PREFIX + "/board", tags=["public"])
async def board_json(
    request: Request,
    services: str | None = None,
    counters: str | None = None,
    lang: str | None = None,
) -> dict[str, object]:
    """The web board's content: calls (newest first), waiting per service, hours, channels.
    Nothing personal: no token, no priority, no reason."""
    hub = hub_of(request)
    only = board_state.Filter.parse(hub.config, services, counters)
    learned = await hours.current(request.app)
    return board_feed.board_now(hub, only, language(hub.config, lang), learned)


@router.get(
    const.API_PREFIX + "/board/events",
    tags=["public"],
    status_code=200,
    response_class=feed.EventStream,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "The board, then changes."},
        503: {"description": "Too many boards, or the hub stops; poll GET /board instead."},
    },
)
async def board_events(
    request: Request,
    services: str | None = None,
    counters: str | None = None,
    lang: str | None = None,
) -> feed.EventStream:
    """The web board as server-sent events: at once, at every change, and a `ping` event
    every BOARD_SSE_HEARTBEAT_S of silence."""
    hub = hub_of(request)
    only = board_state.Filter.parse(hub.config, services, counters)
    return board_feed.open_feed(request.app, hub, only, language(hub.config, lang))
