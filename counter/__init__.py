"""The agent's counter client: call, serve, transfer, complete."""
