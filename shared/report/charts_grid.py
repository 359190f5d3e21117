"""The report's weekday × hour charts: the heat map of waits, and the busy and quieter hours.

Both are grids of the week's weekdays (rows) by hours of issue (columns). Every cell carries
its value as text, so the grid reads without colour; suppressed cells are hatched.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.report.charts import HATCH_SUPPRESSED, Context, _figure, _save, _suppressed_patch
from shared.report.tables import SUPPRESSED, Value

if TYPE_CHECKING:
    from shared.core.hours import Hours, Periods


def _grid_axes(c: Context, ax: Any, weekdays: list[int], hours: list[int]) -> None:
    _ = c.t
    ax.set_xlim(-0.52, len(hours) - 0.48)  # a little room: the edge cells' borders show whole
    ax.set_ylim(len(weekdays) - 0.48, -0.52)
    ax.set_xticks(range(len(hours)), [f"{h}h" for h in hours], fontsize=8)
    ax.set_yticks(range(len(weekdays)), [c.weekday(wd) for wd in weekdays], fontsize=8)
    ax.set_xlabel(_("hour the ticket was taken (office time)"))
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)


def heatmap(c: Context, heat: dict[tuple[int, int], Value], path: Path) -> Path:
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.patches import Rectangle

    _ = c.t
    fig, ax = _figure()
    weekdays = sorted({wd for wd, _h in heat})
    hours = list(range(min(h for _wd, h in heat), max(h for _wd, h in heat) + 1))
    values = [v for v in heat.values() if isinstance(v, float)]
    norm = Normalize(0, max(values, default=1.0))
    cmap = colormaps["Greys"]
    for (wd, h), v in heat.items():
        x, y = hours.index(h), weekdays.index(wd)
        if isinstance(v, float):
            shade = 0.1 + 0.8 * norm(v)  # never pure white (= no data) nor black
            ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=cmap(shade),
                                   edgecolor="white", linewidth=1))  # fmt: skip
            ax.text(x, y, f"{v:.0f}", ha="center", va="center", fontsize=8,
                    color="white" if shade > 0.55 else "black")  # fmt: skip
        elif v == SUPPRESSED:
            ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor="white",
                                   edgecolor="black", hatch=HATCH_SUPPRESSED,
                                   linewidth=0.5))  # fmt: skip
    _grid_axes(c, ax, weekdays, hours)
    bar = fig.colorbar(ScalarMappable(norm, cmap), ax=ax, fraction=0.04, pad=0.02)
    bar.set_label(_("mean wait (minutes)"), fontsize=8)
    ax.set_title(c.title(_("Mean wait by weekday and hour (minutes, all services)")),
                 fontsize=10)  # fmt: skip
    if SUPPRESSED in heat.values():
        ax.legend(handles=[_suppressed_patch(c)], fontsize=7, loc="upper center",
                  bbox_to_anchor=(0.5, -0.16), frameon=False)  # fmt: skip
    fig.tight_layout()
    return _save(fig, path)


def _in(periods: Periods, hour: int) -> bool:
    return any(a.hour <= hour < b.hour + (b.minute > 0) for a, b in periods)


def hours_chart(c: Context, learned: Hours, path: Path) -> Path:
    from matplotlib.patches import Patch, Rectangle

    from shared.core.hours import WEEKDAYS

    _ = c.t
    fig, ax = _figure()
    ax.set_title(c.title(_("Busy and quieter hours")), fontsize=10)
    if learned.status != "ok" or not learned.cells:
        ax.axis("off")
        ax.text(0.5, 0.5, _("Not enough history to publish busy and quieter hours:\n"
                            "{days} usable days, {needed} needed.",
                            days=learned.history_days, needed=learned.needed_days),
                ha="center", va="center", fontsize=11, transform=ax.transAxes)  # fmt: skip
        fig.tight_layout()
        return _save(fig, path)
    weekdays = sorted({cell.weekday for cell in learned.cells})
    hours = list(range(min(x.hour for x in learned.cells), max(x.hour for x in learned.cells) + 1))
    styles = {
        "busy": ("#444444", "xx", "white", _("busy")),
        "usual": ("#bbbbbb", "", "black", _("usual")),
        "quieter": ("white", ".", "black", _("quieter")),
    }
    bands = {"under_5": "< 5", "under_10": "< 10", "under_20": "< 20", "under_30": "< 30",
             "over_30": "> 30"}  # fmt: skip
    for cell in learned.cells:
        day = WEEKDAYS[cell.weekday]
        kind = ("busy" if _in(learned.busy.get(day, ()), cell.hour) else
                "quieter" if _in(learned.quieter.get(day, ()), cell.hour) else "usual")  # fmt: skip
        face, hatch, ink, _label = styles[kind]
        x, y = hours.index(cell.hour), weekdays.index(cell.weekday)
        ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=face, hatch=hatch,
                               edgecolor="black", linewidth=0.5))  # fmt: skip
        ax.text(x, y, bands.get(cell.band, cell.band), ha="center", va="center", fontsize=8,
                color=ink, bbox={"facecolor": face, "edgecolor": "none", "pad": 4})  # fmt: skip
    _grid_axes(c, ax, weekdays, hours)
    handles = [Patch(facecolor=f, hatch=h * 3 if h == "." else h, edgecolor="black", label=label)
               for f, h, _ink, label in styles.values()]  # fmt: skip
    ax.legend(handles=handles, fontsize=7, ncols=3, loc="upper center",
              bbox_to_anchor=(0.5, -0.16), frameon=False,
              title=_("in each cell: the usual wait, in minutes"),
              title_fontsize=7)  # fmt: skip
    fig.tight_layout()
    return _save(fig, path)
