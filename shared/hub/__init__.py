"""The hub: one per office, the only writer of the queue's SQLite database."""
