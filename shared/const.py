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
