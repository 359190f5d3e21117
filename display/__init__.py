"""The wall display: who is called, where, and how long the others will wait."""
