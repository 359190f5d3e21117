"""The touchscreen kiosk where visitors take a ticket."""
