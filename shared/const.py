"""Every timing value of Montour, with its unit in its name. Tests shorten them by fixture."""

from __future__ import annotations

API_VERSION = "1"
API_PREFIX = "/api/v1"

# Hub ---------------------------------------------------------------------------------------
WS_PING_INTERVAL_S = 2.0  # application heartbeat: a display hearing nothing for 3× says so
WS_SEND_QUEUE_MAX = 1000  # events queued for one slow client before it is dropped (it resyncs)
WRITE_BATCH_MAX = 256  # commands committed together by the writer (group commit)
PAIRING_CODE_TTL_S = 600.0
DEVICE_CACHE_TTL_S = 30.0  # a token revoked elsewhere keeps working at most this long
DAY_CHECK_INTERVAL_S = 30.0  # how often an idle hub checks whether the office day changed
IDEMPOTENCY_KEY_MAX_LEN = 128

# Clients -----------------------------------------------------------------------------------
HTTP_TIMEOUT_S = 10.0
RECONNECT_INITIAL_S = 0.25
RECONNECT_MAX_S = 10.0
RECONNECT_JITTER = 0.5  # each delay is multiplied by U(1 - j, 1 + j)
HEARTBEAT_TIMEOUT_S = 3 * WS_PING_INTERVAL_S
WS_CLOSE_TIMEOUT_S = 1.0  # bounded wait for the hub's half of the closing handshake at stop()
# A busy day's full snapshot can exceed websockets' default limit of 1 MiB per message.
WS_MAX_MESSAGE_BYTES = 64 * 2**20

# Discovery ---------------------------------------------------------------------------------
# On one host, two processes sharing port 5353 take 1-2 s to see each other; 6 s leaves margin.
DISCOVERY_TIMEOUT_S = 6.0
# Per-name cap on one resolution, so a half-answered advert cannot hold a browse hostage.
RESOLVE_TIMEOUT_S = 3.0

# Kiosk (kiosk/flow.py, kiosk/viewmodel.py) -----------------------------------------------------
KIOSK_IDLE_S = 60.0  # quiet time on a screen before "Do you need more time?"
KIOSK_IDLE_SPEECH_S = 120.0  # the same in speech mode: listening to a screen takes longer
KIOSK_IDLE_WARNING_S = 30.0  # the warning's countdown (K7: at least 20 s to continue)
KIOSK_TAKE_TICKET_S = 20.0  # "Take your ticket" stays this long, then back to the start
KIOSK_TAKE_TICKET_SPEECH_S = 60.0  # long enough to hear the whole ticket read out
KIOSK_COUNTDOWN_TICK_S = 1.0  # the warning's countdown steps (well under 3 Hz, K8)
KIOSK_QUEUE_REFRESH_MIN_S = 2.0  # at most one queue refresh this often on a busy day

# Speech (shared/ui/speech.py, shared/ui/espeak.py, shared/ui/qtspeech.py) --------------------
SPEECH_RATE_WPM = 150  # espeak-ng's words a minute: a little slower than its 175, for visitors
# espeak-ng writes a sentence's WAV in ~0.01-0.05 s; a run still going after this is stuck.
SPEECH_SYNTH_TIMEOUT_S = 10.0
# A played WAV must report its end within its own length plus this, or it is taken as ended
# (an audio device that vanished mid-sentence must not leave the speaker "speaking" for ever).
SPEECH_PLAYBACK_MARGIN_S = 2.0
# Qt's engine (speechd) must start speaking within this; without an audio sink it never does.
SPEECH_QT_START_TIMEOUT_S = 3.0
# Qt's engine gives no length for a text: it is taken as stuck once speaking outlasts
# len(text) / SPEECH_QT_MIN_CHARS_PER_S + SPEECH_QT_STALL_MARGIN_S (speechd hangs in Speaking
# when its sink is gone). 5 characters a second is far slower than any voice speaks.
SPEECH_QT_MIN_CHARS_PER_S = 5.0
SPEECH_QT_STALL_MARGIN_S = 3.0
SPEECH_CACHE_MAX_FILES = 2000  # cached WAVs kept (~50-150 KB each); the oldest go first

# Phone page (shared/hub/pages) -------------------------------------------------------------
PHONE_SSE_HEARTBEAT_S = 15.0  # an SSE comment after this much silence keeps proxies from closing
PHONE_SSE_MAX_SUBSCRIBERS = 500  # live phone pages per hub; beyond, 503 and the page polls
# A feed ends after this long and the browser reconnects at once: it bounds how long an open
# page can hold up a graceful shutdown of the hub (uvicorn waits for streaming responses).
PHONE_SSE_MAX_AGE_S = 120.0
PHONE_SSE_RETRY_S = 2.0  # EventSource's reconnection delay, sent to it in the stream
PHONE_POLL_INTERVAL_S = 10.0  # the page's fallback when EventSource is missing or refused
PHONE_NOSCRIPT_REFRESH_S = 30  # without JavaScript, the page reloads itself this often

# Printing (kiosk/printing.py, kiosk/printers.py) -------------------------------------------
PRINTER_CONNECT_TIMEOUT_S = 3.0  # a network printer not accepting by then is offline
PRINTER_STATUS_TIMEOUT_S = 2.0  # the answer to a DLE EOT status query (printers answer in ms)
PRINTER_WRITE_TIMEOUT_S = 15.0  # one ticket (4-60 KB) reaches a USB, serial or TCP printer
PRINTER_LP_TIMEOUT_S = 15.0  # `lp` hands a raw job to the CUPS spooler
PRINT_WORKER_STOP_TIMEOUT_S = 30.0  # stop() waits this long for the job in progress

# Web board for TVs (shared/hub/pages/board*.py, board.js) -----------------------------------
# A heartbeat the page's script can see (an `event: ping`, not a comment) this often: the page
# says it lost the hub after BOARD_STALE_S without any message, so that a lost hub shows
# within 5 s of going (BOARD_STALE_S + the page's check interval < 5 s).
BOARD_SSE_HEARTBEAT_S = 1.0
BOARD_STALE_S = 3.5
BOARD_STALE_CHECK_S = 0.25
BOARD_SSE_RETRY_S = 1.0  # EventSource's reconnection delay (a planned end must stay < STALE)
BOARD_SSE_MAX_AGE_S = 120.0  # bounds a feed's life as the phone feed does (shutdown, proxies)
BOARD_SSE_MAX_SUBSCRIBERS = 50  # TVs per hub; beyond, 503 and the page polls the JSON route
BOARD_POLL_INTERVAL_S = 2.0  # the page's fallback when EventSource is missing or refused
BOARD_RECONNECT_MAX_S = 10.0  # a refused feed (503) is tried again after at most this
BOARD_RECENT_CALLS = 6  # calls listed under the current one
BOARD_ANNOUNCE_MAX_AGE_S = 120.0  # calls missed while offline are announced if this recent
BOARD_HIGHLIGHT_S = 8.0  # a new call pulses this long (one pulse per 2 s: far below 3 Hz)
BOARD_CHIME_MARGIN_S = 1.0  # a chime reports its end within its length plus this, or is over
# A spoken sentence is taken as ended after len(text) / this + BOARD_SPEECH_MARGIN_S.
BOARD_SPEECH_MIN_CHARS_PER_S = 5.0
BOARD_SPEECH_MARGIN_S = 3.0

# Wall display (display/board.py, display/viewmodel.py, display/window.py) --------------------
# The hub pings every 2 s; 4 s of silence means the link is lost, so the stale banner is up
# within 5 s of a loss (issue 4: a display is never silently stale).
DISPLAY_HEARTBEAT_TIMEOUT_S = 4.0
# After a reconnection, calls younger than this are still announced; older ones only shown.
DISPLAY_ANNOUNCE_MAX_AGE_S = 60.0
DISPLAY_QUEUE_REFRESH_MIN_S = 2.0  # the live feed has no estimates: /queue at most this often
DISPLAY_HIGHLIGHT_S = 10.0  # a new call pulses this long, then stays highlighted still
DISPLAY_PULSE_PERIOD_S = 1.0  # one gentle pulse a second (D3: slower than 3 Hz)
DISPLAY_PAGE_S = 12.0  # the information panel turns to its next page this often

# Announcer (display/announcer.py) ------------------------------------------------------------
# Pauses that let a listener tell the chime, each language and each call apart; the recorded
# test also finds the segments by them (espeak-ng's own pauses inside a sentence reach ~0.4 s).
ANNOUNCE_AFTER_CHIME_S = 0.2  # the chime's end → the first word
ANNOUNCE_BETWEEN_LANGS_S = 0.3  # the office's language → the visitor's (after the WAV's tail)
ANNOUNCE_BETWEEN_CALLS_S = 0.6  # one announcement's last word → the next chime
# A speaker that never reports the end of an utterance (another user interrupted it) must not
# stall every later call: the announcement goes on after this long.
ANNOUNCE_SPEECH_TIMEOUT_S = 30.0
ANNOUNCE_BACKLOG_WARN = 10  # queued calls (~5 s each) before a warning that speech lags
DISPLAY_RECENT_LOG = 200  # calls the display keeps in its announcement log (bounded memory)

# Counter client (counter/viewmodel.py, counter/window.py) — issue 5 ---------------------------
COUNTER_UNDO_S = 5.0  # a no-show (or a last recall) is held back this long: Undo cancels it
COUNTER_CALLBACKS_REFRESH_S = 30.0  # the call-back list is fetched again at least this often
COUNTER_REFRESH_MIN_S = 2.0  # events refresh /queue and call-backs at most this often
COUNTER_CLOCK_TICK_S = 30.0  # waits shown in minutes: redrawn this often without any event
COUNTER_GLANCE_REDRAW_S = 0.25  # other counters' events redraw the glance at most this often

# Reference office simulator (shared/sim/) — issue 6 ------------------------------------------
# The reference office of shared/reference/wait-estimation.md: these values ARE its definition
# (the benchmark must reproduce it exactly), so they are not tuning knobs.
SIM_NO_SHOW_CALL_MIN = 1.5  # calling a visitor who left costs the counter this long
SIM_PATIENCE_MEAN_MIN = 30.0  # an impatient visitor leaves after Exp(this mean)
SIM_BREAK_OFFSET_MIN = (-5.0, 10.0)  # a break is due at planned + U(lo, hi) minutes
SIM_BREAK_STRETCH = (0.9, 1.2)  # a break lasts planned × U(lo, hi)
SIM_STRESS_SLOWDOWN = 1.10  # the stress set's service times, against the history's

# Replay wait estimator (shared/core/waitparams.py, shared/core/replay.py) — issue 6 ----------
# A break paused without a planned end is taken to last this long from its start.
REPLAY_DEFAULT_BREAK_MIN = 15.0
# Calling a visitor who is not there costs the counter this long (reference office: 1.5 min),
# until the history gives its own figure.
REPLAY_NO_SHOW_COST_MIN = 1.5
# Priority arrivals are counted per slot of this length (the reference's 30-minute slots).
REPLAY_SLOT_MIN = 30

# Planned breaks and shift ends in the replay (shared/core/replay.py) — issue 6 ---------------
# A pause that began up to this long before a planned break's time is that break (agents go a
# little early: the reference office starts breaks up to 5 min early).
REPLAY_BREAK_EARLY_MIN = 10.0
# A planned break still not taken this long after its planned end was skipped: not replayed.
REPLAY_BREAK_STALE_MIN = 60.0

# Break jitter in the replay (shared/core/waitparams.py, replay.py) — issue 6 ---------------
# Real breaks do not start and end on the minute: an agent takes a planned break when the
# counter next frees after planned + U(lo, hi) minutes, and it lasts planned × U(lo, hi). The
# replay draws both in each continuation, or its p10–p90 ranges are too narrow. Defaults for
# an office without its own figures (the reference office's values; history could fit them).
REPLAY_BREAK_OFFSET_MIN = (-5.0, 10.0)
REPLAY_BREAK_STRETCH = (0.9, 1.2)
# Today's pace: the replay scales each service's fitted times by today's observed/fitted ratio,
# shrunk toward the office's ratio, and that toward 1, by n / (n + this) (n: services finished
# today). 0 turns the correction off. Measured (bench-wait, 20 days each, oracle without it):
# off: reference RMSE 5.48, stress 11.47 (1.14 × the oracle, coverage 74.2 %); 30: reference
# 5.64 (1.037 ×, coverage 79.0 %), stress 10.45 (1.032 ×, 77.8 %); 60: 5.62 / 10.41, coverage
# 77.8 / 77.2 %. An office whose day runs slower than its history is the case that matters.
REPLAY_PACE_SHRINK_N = 30.0
# The hub's estimates (shared/core/estimate.py, shared/hub/estimates.py) — issue 6 -----------
REPLAY_K = 48  # continuations per estimate (the benchmark's K: its figures are the hub's)
# A ticket taken now with priority is previewed in its own replay (a priority phantom would
# overtake real tickets); priority waits are short and it is only a preview, so fewer runs.
REPLAY_PREVIEW_K = 16
ESTIMATE_HYSTERESIS_MIN = 2.0  # a shown figure changes only when it moves by this much
# With nothing happening, remaining waits still shrink as time passes: recompute this often
# while anyone waits (and at once after every event).
ESTIMATE_REFRESH_S = 30.0
# A replay slower than this (a huge line on a slow machine) switches the hub to the degraded,
# deterministic single pass until the line is shorter again.
ESTIMATE_SLOW_S = 0.25
ESTIMATE_RETRY_EVERY = 20
# The most of the hub's time the estimator may take (it holds the GIL while it replays). At 1.0
# the hub benchmark fell from 970 to 205 sequential operations a second and its fan-out p99 rose
# from 7.5 to 78 ms (a recomputation after every write, each holding the GIL ~10 ms).
ESTIMATE_CPU_SHARE = 0.1  # then, every this many recomputations, try a full replay again
# p10 and p90 of the degraded pass, as multiples of its mean: the replay's median ratios on a
# busy office (example office, 40 waiting, K=200, 5 seeds: p10/mean 0.77, quartiles 0.71-0.82;
# p90/mean 1.24, quartiles 1.20-1.31), taken at their outer quartiles.
ESTIMATE_DEGRADED_SPREAD = (0.7, 1.3)
ESTIMATE_HISTORY_DAYS = 56  # the days of history the parameters are fitted on (8 weeks)

# Quieter hours learned from history (shared/core/hours.py, shared/hub/hours.py) — issue 6 ----
# Each weekday × hour cell is shrunk toward the additive weekday + hour fit by n / (n + k), n in
# days of evidence: at k days a cell weighs as much as the model.
HOURS_SHRINK_K_DAYS = 8.0
HOURS_TRUST_DAYS = 8  # below this many days, a cell gets the model value only
HOURS_MIN_WEEKS = 4  # publish once every open weekday was seen on this many usable days
# A day with fewer tickets than this share of the median of its weekday is an incident (a
# strike, an outage, a storm): its waits say nothing about a normal week.
HOURS_INCIDENT_VOLUME_SHARE = 0.5
HOURS_QUIETER_SHARE = 1 / 3  # the lowest third of the open cells are quieter, the highest busy
# Published ranges: the first upper bound (minutes) the typical wait is under, else the last.
HOURS_BANDS: tuple[tuple[float, str], ...] = (
    (5.0, "under_5"), (10.0, "under_10"), (20.0, "under_20"), (30.0, "under_30"),
)  # fmt: skip
HOURS_OVER_BAND = "over_30"
HOURS_HISTORY_DAYS = 112  # the hub learns from the last 16 weeks
HOURS_RECOMPUTE_DAYS = 7  # "recompute weekly": a cached result this old is recomputed
# Driving a real hub through a simulated day (shared/sim/drive.py) — issue 6 ---------------
# `simulate --live` starts the hub's clock this long before the office opens (at least
# SIM_LIVE_LEAD_MIN simulated minutes, at least SIM_LIVE_LEAD_REAL_S real seconds): the hub's
# start-up runs on its accelerated clock too and must not eat into the day.
SIM_LIVE_LEAD_MIN = 5.0
SIM_LIVE_LEAD_REAL_S = 1.5
SIM_HUB_READY_TIMEOUT_S = 30.0  # the started hub must print its ready line within this
SIM_HUB_STOP_TIMEOUT_S = 10.0  # SIGTERM, then SIGKILL after this
SIM_PROGRESS_EVERY_MIN = 15.0  # a progress line every this many simulated minutes
# `montour demo --simulate`: the same lead, measured against this much real time (the driver
# is a second process that starts after the hub): 08:25 at ×60, earlier when faster.
SIM_DEMO_LEAD_REAL_S = 3.0
