"""Qt helpers the apps share (speech for the kiosk and the wall display)."""
