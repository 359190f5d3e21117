"""Every kiosk screen reached from the built-in sample office by the flow's own transitions:
for `--screenshot` and for the tests that check each screen's widgets and speech."""

from __future__ import annotations

from dataclasses import replace

from kiosk import flow, samples
from kiosk.flow import Access, Press, State

_PHONE = [Press(f"digit:{d}") for d in "0612345678"]
_PATHS: dict[str, list[flow.Intent]] = {
    "setup": [flow.Unpaired(), *(Press(f"digit:{d}") for d in "48207")],
    "starting": [],
    "welcome": [flow.Loaded()],
    "services": [flow.Loaded(), Press("take")],
    "priority": [flow.Loaded(), Press("take"), Press("service:A")],
    "confirm": [flow.Loaded(), Press("take"), Press("service:A"), Press("no"),
                flow.PreviewReady(samples.PREVIEW_CALM)],
    "confirm-busy": [flow.Loaded(), Press("take"), Press("service:A"), Press("no"),
                     flow.PreviewReady(samples.PREVIEW_BUSY)],
    "callback": [flow.Loaded(), Press("take"), Press("service:A"), Press("no"),
                 flow.PreviewReady(samples.PREVIEW_BUSY), Press("callback"), *_PHONE[:6]],
    "callback-error": [flow.Loaded(), Press("take"), Press("service:A"), Press("no"),
                       flow.PreviewReady(samples.PREVIEW_BUSY), Press("callback"), *_PHONE[:6],
                       Press("next")],
    "consent": [flow.Loaded(), Press("take"), Press("service:A"), Press("no"),
                flow.PreviewReady(samples.PREVIEW_BUSY), Press("callback"), *_PHONE,
                Press("next")],
    "callback-done": [flow.Loaded(), Press("take"), Press("service:A"), Press("no"),
                      flow.PreviewReady(samples.PREVIEW_BUSY), Press("callback"), *_PHONE,
                      Press("next"), Press("agree"), flow.CallbackStored({"id": "cb"})],
    "printing": [flow.Loaded(), Press("take"), Press("service:A"), Press("no"),
                 flow.PreviewReady(samples.PREVIEW_CALM), Press("issue")],
    "take-ticket": [flow.Loaded(), Press("take"), Press("service:A"), Press("no"),
                    flow.PreviewReady(samples.PREVIEW_CALM), Press("issue"),
                    flow.Issued(samples.TICKET), flow.Printed(True, "ok")],
    "print-failed": [flow.Loaded(), Press("take"), Press("service:A"), Press("no"),
                     flow.PreviewReady(samples.PREVIEW_CALM), Press("issue"),
                     flow.Issued(samples.TICKET), flow.Printed(False, "paper_out", "paper out")],
    "hub-down": [flow.Loaded(), flow.HubStatus(False)],
    "idle": [flow.Loaded(), Press("take"), Press("service:A"), flow.IdleTimeout(),
             flow.Tick()],
}  # fmt: skip
SCREENS = tuple(_PATHS)


def sample_state(name: str, lang: str = "fr", access: Access | None = None) -> State:
    """The state of screen `name` for a visitor reading `lang`."""
    access = access or Access()
    state = flow.initial("fr", tuple(samples.OFFICE["languages"]), access)
    now = 0.0
    for intent in _PATHS[name]:
        now += 1.0 if isinstance(intent, flow.Tick) else 0.0
        state, _ = flow.handle(state, intent, now, "sample-key")
    return replace(state, lang=lang)
