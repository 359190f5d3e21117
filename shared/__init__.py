"""Montour: everything the kiosk, the display and the counter share (core, hub, client)."""
