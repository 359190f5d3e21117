"""The report's charts (matplotlib, Agg backend): PNG figures for a printed monthly report.

Each figure is A4-friendly (the page's width, 150 dpi), titled with the office's name and the
period, with units on the axes, and readable in greyscale: series differ by hatch, marker and
line style as well as by shade; suppressed figures are hatched and named in the legend. The
texts are marked for the "report" catalogue (assets/translations/<lang>/report.po). matplotlib
is imported only when a chart is drawn (`montour --help` stays quick).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.dates import format_date, get_day_names

from shared import i18n
from shared.core.model import ServiceCode
from shared.i18n import N_
from shared.report.tables import ALL, SUPPRESSED, Table, Value

if TYPE_CHECKING:
    from shared.config import OfficeConfig
    from shared.core.hours import Hours

WIDTH_IN, HEIGHT_IN, DPI = 8.27, 4.9, 150  # an A4 page's width
SHADES = ("#222222", "#777777", "#bbbbbb", "#eeeeee", "#555555", "#999999")
HATCHES = ("", "//", "..", "xx", "\\\\", "oo")
HATCH_SUPPRESSED = "////"


@dataclass(frozen=True)
class Context:
    office: OfficeConfig
    start: date
    end: date
    lang: str

    def t(self, message: str, /, **values: Any) -> str:
        return _translator(self.lang)(message, **values)

    def title(self, what: str) -> str:
        _ = self.t
        period = _("from {start} to {end}", start=self.date(self.start),
                        end=self.date(self.end))  # fmt: skip
        return f"{self.office.name} — {what}\n{period}"

    def date(self, d: date, fmt: str = "long") -> str:
        return format_date(d, format=fmt, locale=self.lang)

    def service(self, code: str) -> str:
        if code == ALL:
            return self.t(N_("All services"))
        found = self.office.rules.services.get(ServiceCode(code))
        return found.name(self.lang) if found is not None else code

    def weekday(self, wd: int) -> str:
        return str(get_day_names("abbreviated", locale=self.lang)[wd]).rstrip(".")


def _translator(lang: str) -> i18n.Translator:
    return i18n.translator(lang, "report")


def _figure() -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    return fig, ax


def _save(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def _num(value: Value) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _day_axis(c: Context, ax: Any, days: list[str]) -> None:
    """Dates under the bars; a short period keeps narrow bars, centred (not one wide block)."""
    pad = max(0.6, (7 - len(days)) / 2)
    ax.set_xlim(-pad, len(days) - 1 + pad)
    labels = [c.date(date.fromisoformat(d), "dd/MM") for d in days]
    ax.set_xticks(range(len(days)), labels, rotation=90, fontsize=7)


def _suppressed_patch(c: Context) -> Any:
    from matplotlib.patches import Patch

    _ = c.t
    return Patch(facecolor="white", edgecolor="black", hatch=HATCH_SUPPRESSED,
                 label=_("suppressed (fewer than 5 visitors)"))  # fmt: skip


def tickets_per_day(c: Context, table: Table, path: Path) -> Path:
    _ = c.t
    fig, ax = _figure()
    days = list(table.days)
    x = list(range(len(days)))
    bottom = [0.0] * len(days)
    hidden = [False] * len(days)
    for i, s in enumerate(table.services):
        values = [table.get(s, d, "tickets") for d in days]
        heights = [_num(v) or 0.0 for v in values]
        ax.bar(x, heights, bottom=bottom, width=0.8, color=SHADES[i % 6], hatch=HATCHES[i % 6],
               edgecolor="black", linewidth=0.4, label=c.service(s))  # fmt: skip
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        hidden = [h or v == SUPPRESSED for h, v in zip(hidden, values, strict=True)]
    for xi, top, h in zip(x, bottom, hidden, strict=True):
        if h:  # a service's count is suppressed: the bar lacks it; say so where it stands
            ax.bar(xi, max(bottom) * 0.04, bottom=top, width=0.8, color="white",
                   edgecolor="black", hatch=HATCH_SUPPRESSED, linewidth=0.4)  # fmt: skip
    _day_axis(c, ax, days)
    ax.set_ylabel(_("tickets per day"))
    ax.set_title(c.title(_("Tickets per day and service")), fontsize=10)
    handles, _labels = ax.get_legend_handles_labels()
    if any(hidden):
        handles.append(_suppressed_patch(c))
    ax.legend(handles=handles, fontsize=7, ncols=min(len(handles), 3), loc="upper center",
              bbox_to_anchor=(0.5, -0.18), frameon=False)  # fmt: skip
    ax.grid(axis="y", color="#cccccc", linewidth=0.5)
    ax.set_axisbelow(True)
    fig.tight_layout()
    return _save(fig, path)


def wait_per_day(c: Context, table: Table, path: Path) -> Path:
    _ = c.t
    fig, ax = _figure()
    days = list(table.days)
    x = list(range(len(days)))
    mean = [_num(table.get(ALL, d, "mean_wait_min")) for d in days]
    p90 = [_num(table.get(ALL, d, "p90_wait_min")) for d in days]
    nan = float("nan")
    ax.plot(x, [v if v is not None else nan for v in p90], color="#777777", linestyle="--",
            marker="s", markersize=3, label=_("p90 wait (9 visitors in 10 wait less)"))  # fmt: skip
    ax.plot(x, [v if v is not None else nan for v in mean], color="black", linestyle="-",
            marker="o", markersize=3, label=_("mean wait"))  # fmt: skip
    target = c.office.target_wait_min
    ax.axhline(target, color="black", linestyle=":", linewidth=1.2,
               label=_("target wait ({minutes} min)", minutes=target))  # fmt: skip
    gaps = [xi for xi, d in zip(x, days, strict=True)
            if table.get(ALL, d, "mean_wait_min") == SUPPRESSED]  # fmt: skip
    for xi in gaps:
        ax.axvspan(xi - 0.4, xi + 0.4, facecolor="white", edgecolor="black",
                   hatch=HATCH_SUPPRESSED, linewidth=0)  # fmt: skip
    _day_axis(c, ax, days)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(_("wait (minutes)"))
    ax.set_title(c.title(_("Waiting time per day, all services")), fontsize=10)
    handles, _labels = ax.get_legend_handles_labels()
    if gaps:
        handles.append(_suppressed_patch(c))
    ax.legend(handles=handles, fontsize=7, loc="upper center", ncols=2,
              bbox_to_anchor=(0.5, -0.18), frameon=False)  # fmt: skip
    ax.grid(axis="y", color="#cccccc", linewidth=0.5)
    fig.tight_layout()
    return _save(fig, path)


def within_target(c: Context, table: Table, path: Path) -> Path:
    _ = c.t
    fig, ax = _figure()
    codes = [*table.services, ALL]
    y = list(range(len(codes)))[::-1]
    any_hidden = False
    for yi, s in zip(y, codes, strict=True):
        value = table.get(s, ALL, "within_target_pct")
        share = _num(value)
        if share is None:
            any_hidden |= value == SUPPRESSED
            ax.barh(yi, 100, color="white", edgecolor="black", linewidth=0.5,
                    hatch=HATCH_SUPPRESSED if value == SUPPRESSED else "")  # fmt: skip
            continue
        ax.barh(yi, share, color="#555555" if s == ALL else "#999999", edgecolor="black",
                linewidth=0.5)  # fmt: skip
        ax.text(share + 1, yi, f"{share:.0f} %", va="center", fontsize=8)
    ax.set_yticks(y, [c.service(s) for s in codes], fontsize=8)
    ax.set_xlim(0, 110)
    ax.set_xticks(range(0, 101, 20), [f"{v} %" for v in range(0, 101, 20)])
    minutes = c.office.target_wait_min
    ax.set_xlabel(_("visitors called within {minutes} min (% of those called)",
                      minutes=minutes))  # fmt: skip
    ax.set_title(c.title(_("Share called within the target wait ({minutes} min)",
                             minutes=minutes)), fontsize=10)  # fmt: skip
    if any_hidden:
        ax.legend(handles=[_suppressed_patch(c)], fontsize=7, loc="lower right")
    ax.grid(axis="x", color="#cccccc", linewidth=0.5)
    ax.set_axisbelow(True)
    fig.tight_layout()
    return _save(fig, path)


def draw_all(
    c: Context, table: Table, heat: dict[tuple[int, int], Value], hours: Hours, out: Path
) -> list[Path]:
    from shared.report import charts_grid  # it builds on this module's helpers

    return [
        tickets_per_day(c, table, out / "tickets_per_day.png"),
        wait_per_day(c, table, out / "wait_per_day.png"),
        within_target(c, table, out / "within_target.png"),
        charts_grid.heatmap(c, heat, out / "heatmap.png"),
        charts_grid.hours_chart(c, hours, out / "hours.png"),
    ]
