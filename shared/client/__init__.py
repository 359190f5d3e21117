"""The apps' side of the wire: how the kiosk, display and counter talk to the hub.

- `api.HubClient`: the REST API, async over httpx; every write carries an idempotency key that
  its own retries reuse, so a retried request returns the first answer.
- `stream.EventStream`: the live WebSocket feed folded into an `OfficeState`, with gap
  detection, resync, heartbeat and reconnection (and a fresh hub look-up on every reconnect).
- `netthread.NetThread`: the one thread that runs asyncio in an app.
- `link.ServerLink`: the QObject that puts the three together; its signals are the only way
  results reach the GUI thread.
"""
