"""The JSON wire format shared by the hub and its clients.

Requests are pydantic models in strict mode (`{"priority": "yes"}` or `{"counter": false}` are
refused, not coerced). The queue's state travels as plain dicts built here, in two views:
the *full* view for paired counters and displays, and the *public* view (phone page, TV board,
unpaired readers) which never carries a ticket's token, its priority flag or the reason it was
called (P2, P3 in the privacy requirements). Clients turn a snapshot back into an
`OfficeState` with `state_from_dict` and fold the following events with the core's `evolve`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.config import OfficeConfig, Periods
from shared.core import events as ev
from shared.core.estimate import ServiceEstimate, TicketEstimate, WaitRange
from shared.core.hours import Hours
from shared.core.model import (
    CounterId,
    CounterSession,
    CounterStatus,
    OfficeState,
    ServiceCode,
    Ticket,
    TicketId,
    TicketState,
)

Code = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]
ShortText = Annotated[str, Field(max_length=200)]


class _Request(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class IssueRequest(_Request):
    service: Code
    priority: bool = False
    lang: Annotated[str, Field(pattern=r"^[a-z]{2}$")] = "fr"


class OpenCounterRequest(_Request):
    services: list[Code] = Field(min_length=1, max_length=32)


class PauseRequest(_Request):
    reason: ShortText = ""
    # The planned end of the break, if known: an ISO time with its offset (JSON has no
    # datetime type, so this one field is parsed from text despite the strict mode).
    until: AwareDatetime | None = Field(default=None, strict=False)


class CallRequest(_Request):
    """Call a given ticket: by id, or by the number the visitor shows ("A042")."""

    ticket: Annotated[str, Field(max_length=64)] | None = None
    label: Annotated[str, Field(max_length=16)] | None = None


class TicketActionRequest(_Request):
    counter: Code | None = None


class CompleteRequest(_Request):
    outcome: Code
    counter: Code | None = None


class TransferRequest(_Request):
    service: Code
    note: ShortText = ""
    head: bool = False
    counter: Code | None = None


class CallbackRequest(_Request):
    service: Code
    phone: Annotated[str, Field(min_length=1, max_length=32)]
    consent: bool
    lang: Annotated[str, Field(pattern=r"^[a-z]{2}$")] = "fr"
    ticket: Annotated[str, Field(max_length=32)] | None = None


# Agents (issue 5): the counter app names its signed-in agent in this header on every request.
# Percent-encoded UTF-8 (HTTP headers are Latin-1 at best; agents are called Hélène).
AGENT_HEADER = "X-Montour-Agent"
AGENT_MAX_LEN = 60
NOTE_MAX_LEN = 140  # a short neutral note: no medical or social details
Note = Annotated[str, Field(max_length=NOTE_MAX_LEN)]
IdentifierKind = Literal["file", "phone"]


class CallbackOutcomeRequest(_Request):
    outcome: Code
    note: Note = ""


class ContactSearchRequest(_Request):
    kind: IdentifierKind
    key: Annotated[str, Field(min_length=1, max_length=64)]
    consent: bool = False  # missing means no: the hub answers consent_required


class ContactRequest(ContactSearchRequest):
    channel: Literal["counter", "callback", "phone", "email"]
    service: Code
    outcome: Code
    note: Note = ""


class PrinterReport(_Request):
    state: Literal["ok", "paper_near_end", "paper_out", "offline", "error", "unknown"]
    detail: ShortText = ""


class PairRequest(_Request):
    code: Annotated[str, Field(min_length=4, max_length=32)]
    name: Annotated[str, Field(min_length=1, max_length=80)]


class PairingCodeRequest(_Request):
    role: Annotated[str, Field(max_length=16)]
    name: Annotated[str, Field(max_length=80)] = ""


# --- state to and from dicts ----------------------------------------------------------------

_PRIVATE_TICKET_FIELDS = ("token", "priority", "reason", "reason_kind", "note", "outcome")


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


_TICKET_FIELDS = tuple(f.name for f in dataclasses.fields(Ticket))
_PUBLIC_TICKET_FIELDS = tuple(n for n in _TICKET_FIELDS if n not in _PRIVATE_TICKET_FIELDS)


def ticket_to_dict(ticket: Ticket, public: bool) -> dict[str, Any]:
    names = _PUBLIC_TICKET_FIELDS if public else _TICKET_FIELDS
    return {name: _plain(getattr(ticket, name)) for name in names}


def ticket_from_dict(data: dict[str, Any]) -> Ticket:
    def when(key: str) -> datetime | None:
        v = data.get(key)
        return None if v is None else datetime.fromisoformat(v)

    issued = when("issued_at")
    assert issued is not None
    return Ticket(
        id=TicketId(data["id"]), token=data.get("token", ""), service=ServiceCode(data["service"]),
        number=data["number"], label=data["label"], priority=data.get("priority", False),
        lang=data["lang"], issued_at=issued, state=TicketState(data["state"]),
        counter=CounterId(data["counter"]) if data.get("counter") else None,
        calls=data.get("calls", 0), called_at=when("called_at"),
        first_called_at=when("first_called_at"), started_at=when("started_at"),
        finished_at=when("finished_at"), reason=data.get("reason"),
        reason_kind=data.get("reason_kind"), note=data.get("note"),
        outcome=data.get("outcome"),
        previous=TicketId(data["previous"]) if data.get("previous") else None,
        head=data.get("head", False),
    )  # fmt: skip


def _counter_to_dict(session: CounterSession, public: bool) -> dict[str, Any]:
    out = {f.name: _plain(getattr(session, f.name)) for f in dataclasses.fields(session)}
    if public:
        out["pause_reason"] = None  # an agent's reason for a break is theirs
    return out


def state_to_dict(state: OfficeState, public: bool) -> dict[str, Any]:
    return {
        "day": _plain(state.day),
        "tickets": [ticket_to_dict(t, public) for t in state.tickets.values()],
        "counters": [_counter_to_dict(c, public) for c in state.counters.values()],
        "last_number": dict(state.last_number),
    }


def state_from_dict(data: dict[str, Any]) -> OfficeState:
    tickets = [ticket_from_dict(t) for t in data["tickets"]]
    counters = [
        CounterSession(
            CounterId(c["id"]),
            CounterStatus(c["status"]),
            tuple(ServiceCode(s) for s in c["services"]),
            c.get("pause_reason"),
            datetime.fromisoformat(c["since"]) if c.get("since") else None,
            datetime.fromisoformat(c["pause_until"]) if c.get("pause_until") else None,
        )
        for c in data["counters"]
    ]
    return OfficeState(
        day=date.fromisoformat(data["day"]) if data.get("day") else None,
        tickets={t.id: t for t in tickets},
        counters={c.id: c for c in counters},
        last_number={ServiceCode(k): int(v) for k, v in data["last_number"].items()},
    )


def event_to_dict(event: ev.Event, public: bool) -> dict[str, Any]:
    out = ev.to_dict(event)
    if public:
        # The fold still works on a public stream: defaults stand in for what is withheld.
        if "token" in out:
            out["token"] = ""
        if "priority" in out:
            out["priority"] = False
        if isinstance(event, ev.TicketCalled):
            out["reason"] = out["reason_kind"] = ""  # "priority" would tell who is disabled
        if "note" in out:
            out["note"] = ""
        if "outcome" in out:
            out["outcome"] = ""
        if "reason" in out and isinstance(event, ev.CounterPaused):
            out["reason"] = ""
    return out


def wait_to_dict(wait: WaitRange | None) -> dict[str, Any] | None:
    if wait is None:
        return None
    return {"mean_min": round(wait.mean_min, 1), "low_min": wait.low_min, "high_min": wait.high_min}


def ticket_estimate_to_dict(est: TicketEstimate) -> dict[str, Any]:
    return {"ahead": est.ahead, "position": est.ahead + 1, "wait": wait_to_dict(est.wait)}


def service_estimate_to_dict(est: ServiceEstimate) -> dict[str, Any]:
    return {
        "waiting": est.waiting,
        "open_counters": est.open_counters,
        "wait": wait_to_dict(est.wait),
    }


def office_to_dict(
    c: OfficeConfig, learned: Hours | None = None, services: Mapping[str, Hours] | None = None
) -> dict[str, Any]:
    """The office as `GET /office` gives it to the apps (nothing secret, nothing personal).

    Quieter hours learned from the history (`learned`, and each service's own in `services`)
    replace the declared ones once they are published ("ok"); a service without its own falls
    back to the office's. `quieter_hours_source` says which: "history", "declared" or "none".
    """

    def hours(own: Hours | None, declared: Mapping[str, Periods]) -> dict[str, Any]:
        for h in (own, learned):
            if h is not None and h.status == "ok":
                return {"quieter_hours": _week(h.quieter), "quieter_hours_source": "history",
                        "busy_hours": _week(h.busy)}  # fmt: skip
        return {"quieter_hours": _week(declared), "busy_hours": {},
                "quieter_hours_source": "declared" if declared else "none"}  # fmt: skip

    own = services or {}
    return {
        "id": c.id, "name": c.name, "timezone": c.timezone, "languages": list(c.languages),
        "phone": c.phone, "website": c.website, "appointment_url": c.appointment_url,
        "public_url": c.public_url, "busy_threshold_min": c.busy_threshold_min,
        "callbacks": {"enabled": c.callbacks_enabled, "retention_days": c.callback_retention_days},
        "contacts": {"enabled": c.contacts_enabled, "retention_days": c.contacts_retention_days},
        "policy": {"kind": c.rules.policy.kind.value, "rate_ratio": c.rules.policy.rate_ratio,
                   "recall_limit": c.rules.recall_limit,
                   "no_show_grace_min": c.rules.no_show_grace_s / 60},
        "services": [{"code": s.code, "prefix": s.prefix, "names": dict(s.names),
                      "mean_service_min": s.mean_service_min,
                      **hours(own.get(s.code), c.quieter_hours_for(s.code))}
                     for s in c.rules.services.values()],
        "counters": [{"id": k.id, "name": k.name, "services": list(k.services),
                      "accessible": k.accessible} for k in c.rules.counters.values()],
        "outcomes": [{"code": o.code, "labels": dict(o.labels)} for o in c.outcomes],
        "hours": _week(c.hours),
        **hours(None, c.quieter_hours),
    }  # fmt: skip


def _week(week: Mapping[str, Periods]) -> dict[str, list[list[str]]]:
    return {day: [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in periods]
            for day, periods in week.items()}  # fmt: skip
