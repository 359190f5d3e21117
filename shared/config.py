"""The office configuration: a TOML file, validated once, handed down as frozen values.

Validation is pydantic's (strict, unknown keys refused); its errors are rewritten so that each
line names the key as it appears in the file (`services[2].code`) and says what is wrong.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.functional_validators import BeforeValidator

from shared.core.errors import ConfigError
from shared.core.model import (
    Counter,
    CounterId,
    Policy,
    PolicyKind,
    Rules,
    Service,
    ServiceCode,
)
from shared.core.slots import AppointmentPlan, AppointmentService

EXAMPLE = Path(__file__).resolve().parent.parent / "assets" / "office.example.toml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,16}$")]
Names = dict[str, Annotated[str, Field(min_length=1, max_length=80)]]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Office(_Model):
    id: Code
    name: str = Field(min_length=1, max_length=120)
    timezone: str = "Europe/Paris"
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2}$")]] = Field(
        default_factory=lambda: ["fr", "en"], min_length=1
    )
    phone: str = ""
    website: str = ""
    appointment_url: str = ""
    public_url: str = Field(default="", pattern=r"^(https?://[^\s/]+(/[^\s]*)?)?$")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (example: 'Europe/Paris')") from None
        return value


class _Policy(_Model):
    kind: Literal["strict", "accumulating"] = "strict"
    rate_ratio: float = Field(default=3.0, ge=1.0, le=100.0)
    recall_limit: int = Field(default=2, ge=0, le=10)
    no_show_grace_min: int = Field(default=15, ge=0, le=480)
    busy_threshold_min: int = Field(default=20, ge=0, le=480)
    target_wait_min: int = Field(default=20, ge=1, le=480)


class _Callbacks(_Model):
    enabled: bool = True
    retention_days: int = Field(default=30, ge=1, le=365)


class _Contacts(_Model):
    enabled: bool = True
    retention_days: int = Field(default=365, ge=1, le=3650)


class _Audit(_Model):
    retention_days: int = Field(default=365, ge=1, le=3650)


Period = Annotated[list[Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]],
                   Field(min_length=2, max_length=2)]  # fmt: skip
Week = dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], list[Period]]


class _Service(_Model):
    code: Code
    prefix: str | None = Field(default=None, pattern=r"^[A-Z]{1,2}$")
    name: Names = Field(min_length=1)
    mean_service_min: float = Field(gt=0, le=240)
    quieter_hours: Week | None = None


class _Break(_Model):
    at: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    minutes: int = Field(ge=1, le=240)


class _Counter(_Model):
    id: Code
    name: str = Field(min_length=1, max_length=40)
    services: list[Code] = Field(min_length=1)
    accessible: bool = False
    shift: Period | None = None  # [opening, last call]; default: the office hours
    breaks: list[_Break] = Field(default_factory=list)


class _Outcome(_Model):
    code: Code
    label: Names = Field(min_length=1)


def _iso_day(value: object) -> object:
    """TOML dates may be written bare (2026-12-25) or quoted ("2026-12-25")."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        value = date.fromisoformat(value)  # a ValueError names the impossible day
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{value!r} is not a date (example: 2026-12-25)")
    return value


Day = Annotated[date, BeforeValidator(_iso_day)]


class _Closure(_Model):
    first: Day = Field(alias="from")
    last: Day = Field(alias="to")


class _AppointmentService(_Model):
    service: Code
    modes: list[Literal["site", "phone", "video"]] = Field(min_length=1)
    slot_min: int = Field(ge=5, le=240)
    capacity: int = Field(default=1, ge=1, le=50)
    hours: Week | None = None  # default: the office hours
    video_link: str = Field(default="", max_length=500, pattern=r"^(https?://\S+)?$")


class _Appointments(_Model):
    horizon_days: int = Field(default=30, ge=1, le=365)
    min_notice_min: int = Field(default=60, ge=0, le=10080)
    holidays: list[Day] = Field(default_factory=list)
    closures: list[_Closure] = Field(default_factory=list)
    services: list[_AppointmentService] = Field(default_factory=list)


class _File(_Model):
    office: _Office
    policy: _Policy = _Policy()
    services: list[_Service] = Field(min_length=1)
    counters: list[_Counter] = Field(min_length=1)
    outcomes: list[_Outcome] = Field(
        default_factory=lambda: [_Outcome(code="done", label={"fr": "Traité", "en": "Done"})],
        min_length=1,
    )
    hours: Week = Field(default_factory=dict)
    quieter_hours: Week = Field(default_factory=dict)
    callbacks: _Callbacks = _Callbacks()
    contacts: _Contacts = _Contacts()
    audit: _Audit = _Audit()
    appointments: _Appointments = _Appointments()


Periods = tuple[tuple[time, time], ...]


@dataclass(frozen=True)
class Outcome:
    code: str
    labels: Mapping[str, str]


@dataclass(frozen=True)
class OfficeConfig:
    id: str
    name: str
    timezone: str
    languages: tuple[str, ...]
    phone: str
    website: str
    appointment_url: str
    busy_threshold_min: int
    rules: Rules
    outcomes: tuple[Outcome, ...]
    hours: Mapping[str, Periods]  # weekday key -> opening periods
    public_url: str = ""  # base of the phone page's address in the ticket's QR code
    quieter_hours: Mapping[str, Periods] = field(default_factory=dict)  # declared by the office
    service_quieter_hours: Mapping[str, Mapping[str, Periods]] = field(default_factory=dict)
    callbacks_enabled: bool = True
    callback_retention_days: int = 30
    contacts_enabled: bool = True  # the visitor's contact history (opt-in, P4)
    contacts_retention_days: int = 365
    audit_retention_days: int = 365  # the access log of reads of personal data
    target_wait_min: int = 20  # the office's target wait: `montour report`'s "within target"
    appointments: AppointmentPlan = field(default_factory=AppointmentPlan)  # default: none

    def quieter_hours_for(self, service: str) -> Mapping[str, Periods]:
        """The declared quieter hours of a service (its own, else the office's)."""
        return self.service_quieter_hours.get(service) or self.quieter_hours

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load(path: Path) -> OfficeConfig:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc.strerror}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}.") from None
    return parse(raw, source=str(path))


def parse(raw: Mapping[str, Any], source: str = "configuration") -> OfficeConfig:
    try:
        f = _File.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{_key(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ConfigError(f"{source}: " + "; ".join(lines)) from None
    problems = _cross_check(f)
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))
    services = {
        ServiceCode(s.code): Service(
            ServiceCode(s.code), s.prefix or s.code.upper()[:2], dict(s.name), s.mean_service_min
        )
        for s in f.services
    }
    counters = {CounterId(c.id): _counter(c) for c in f.counters}
    rules = Rules(
        services,
        counters,
        Policy(PolicyKind(f.policy.kind), f.policy.rate_ratio),
        f.policy.recall_limit,
        f.policy.no_show_grace_min * 60.0,
    )
    return OfficeConfig(
        f.office.id, f.office.name, f.office.timezone, tuple(f.office.languages), f.office.phone,
        f.office.website, f.office.appointment_url, f.policy.busy_threshold_min, rules,
        tuple(Outcome(o.code, dict(o.label)) for o in f.outcomes), _week(f.hours),
        public_url=f.office.public_url.rstrip("/"),
        quieter_hours=_week(f.quieter_hours),
        service_quieter_hours={s.code: _week(s.quieter_hours) for s in f.services
                               if s.quieter_hours},
        callbacks_enabled=f.callbacks.enabled,
        callback_retention_days=f.callbacks.retention_days,
        contacts_enabled=f.contacts.enabled,
        contacts_retention_days=f.contacts.retention_days,
        audit_retention_days=f.audit.retention_days,
        target_wait_min=f.policy.target_wait_min,
        appointments=_plan(f.appointments, f.hours),
    )  # fmt: skip


def _counter(c: _Counter) -> Counter:
    shift = c.shift and (time.fromisoformat(c.shift[0]), time.fromisoformat(c.shift[1]))
    return Counter(
        CounterId(c.id),
        c.name,
        tuple(ServiceCode(s) for s in c.services),
        c.accessible,
        shift or None,
        tuple(sorted((time.fromisoformat(b.at), b.minutes) for b in c.breaks)),
    )


def _plan(a: _Appointments, office_hours: Week) -> AppointmentPlan:
    services = {
        s.service: AppointmentService(
            s.service, tuple(s.modes), s.slot_min, s.capacity,
            _week(office_hours if s.hours is None else s.hours), s.video_link,
        )
        for s in a.services
    }  # fmt: skip
    closures = tuple((c.first, c.last) for c in a.closures)
    return AppointmentPlan(a.horizon_days, a.min_notice_min, frozenset(a.holidays), closures,
                           services)  # fmt: skip


def _week(raw: Week) -> dict[str, Periods]:
    return {
        day: tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in periods)
        for day, periods in raw.items()
    }


def _key(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _cross_check(f: _File) -> list[str]:
    problems: list[str] = []
    codes = [s.code for s in f.services]
    prefixes = [s.prefix or s.code.upper()[:2] for s in f.services]
    for i, s in enumerate(f.services):
        if codes.count(s.code) > 1:
            problems.append(f"services[{i}].code: {s.code!r} is used by more than one service")
        if prefixes.count(prefixes[i]) > 1:
            problems.append(
                f"services[{i}].prefix: {prefixes[i]!r} is shared with another service; "
                "ticket numbers would be ambiguous"
            )
        if f.office.languages[0] not in s.name:
            problems.append(f"services[{i}].name: no name in {f.office.languages[0]!r}")
    ids = [c.id for c in f.counters]
    for i, c in enumerate(f.counters):
        if ids.count(c.id) > 1:
            problems.append(f"counters[{i}].id: {c.id!r} is used by more than one counter")
        for code in c.services:
            if code not in codes:
                problems.append(f"counters[{i}].services: unknown service {code!r}")
        problems += _counter_times(i, c)
    weeks: list[tuple[str, Week]] = [("hours", f.hours), ("quieter_hours", f.quieter_hours)]
    weeks += [(f"services[{i}].quieter_hours", s.quieter_hours or {})
              for i, s in enumerate(f.services)]  # fmt: skip
    weeks += [(f"appointments.services[{i}].hours", s.hours or {})
              for i, s in enumerate(f.appointments.services)]  # fmt: skip
    for key, week in weeks:
        for day, periods in week.items():
            for j, (a, b) in enumerate(periods):
                if a >= b:
                    problems.append(f"{key}.{day}[{j}]: starts at {a} but ends at {b}")
    outcome_codes = [o.code for o in f.outcomes]
    for i, o in enumerate(f.outcomes):
        if outcome_codes.count(o.code) > 1:
            problems.append(f"outcomes[{i}].code: {o.code!r} is used more than once")
    return problems + _appointment_problems(f.appointments, codes)


def _appointment_problems(a: _Appointments, codes: list[str]) -> list[str]:
    problems: list[str] = []
    for i, c in enumerate(a.closures):
        if c.first > c.last:
            problems.append(f"appointments.closures[{i}]: from {c.first} is after to {c.last}")
    booked = [s.service for s in a.services]
    for i, s in enumerate(a.services):
        key = f"appointments.services[{i}]"
        if s.service not in codes:
            problems.append(f"{key}.service: unknown service {s.service!r} (not in [[services]])")
        if booked.count(s.service) > 1:
            problems.append(f"{key}.service: {s.service!r} is planned more than once")
        if len(set(s.modes)) < len(s.modes):
            problems.append(f"{key}.modes: a mode is listed more than once")
        for day, periods in (s.hours or {}).items():  # "starts after it ends": _cross_check
            if any(b[0] < a[1] for a, b in pairwise(sorted(periods))):
                problems.append(f"{key}.hours.{day}: two periods overlap")
        if s.video_link:
            problems += _video_link(f"{key}.video_link", s.video_link)
    return problems


def _video_link(key: str, link: str) -> list[str]:
    """A template with exactly the `{ref}` field: the hub fills in the booking reference."""
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(link) if name is not None}
    except ValueError:
        return [f"{key}: unbalanced braces; write {{ref}} where the booking reference goes"]
    if fields != {"ref"}:
        return [f"{key}: must contain {{ref}} (where the booking reference goes) and no "
                "other {…} field"]  # fmt: skip
    return []


def _counter_times(i: int, c: _Counter) -> list[str]:
    """A shift that ends after it starts; breaks inside it that do not overlap."""
    problems: list[str] = []
    if c.shift is not None and c.shift[0] >= c.shift[1]:
        problems.append(f"counters[{i}].shift: starts at {c.shift[0]} but ends at {c.shift[1]}")
    end_of_previous = -1
    for j, b in sorted(enumerate(c.breaks), key=lambda jb: jb[1].at):
        start = _minutes(b.at)
        if c.shift is not None and not _minutes(c.shift[0]) <= start < _minutes(c.shift[1]):
            problems.append(f"counters[{i}].breaks[{j}].at: {b.at} is outside the shift "
                            f"{c.shift[0]}–{c.shift[1]}")  # fmt: skip
        if start < end_of_previous:
            problems.append(f"counters[{i}].breaks[{j}].at: {b.at} overlaps the previous break")
        if start + b.minutes > 24 * 60:
            problems.append(f"counters[{i}].breaks[{j}].minutes: the break runs past midnight")
        end_of_previous = start + b.minutes
    return problems


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])
