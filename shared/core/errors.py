"""Domain errors. Each carries the HTTP status the hub should answer and a stable code.

The message is written for the person who will read it (an agent, a technician), says what
is wrong and what to do; internal details go to the logs, not into these messages.
"""

from __future__ import annotations


class MontourError(Exception):
    """Base of every error the hub turns into a JSON `{"error": code, "message": text}`."""

    http_status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IllegalTransition(MontourError):
    http_status, code = 409, "illegal_transition"


class Conflict(MontourError):
    http_status, code = 409, "conflict"


class NotFound(MontourError):
    http_status, code = 404, "not_found"


class NothingWaiting(MontourError):
    http_status, code = 409, "nothing_waiting"


class InvalidInput(MontourError):
    http_status, code = 422, "invalid_input"


class Unauthorized(MontourError):
    http_status, code = 401, "unauthorized"


class Forbidden(MontourError):
    http_status, code = 403, "forbidden"


class ConfigError(MontourError):
    http_status, code = 422, "invalid_config"


class ConsentRequired(MontourError):
    http_status, code = 422, "consent_required"


class PhoneInvalid(MontourError):
    http_status, code = 422, "phone_invalid"


class FeatureOff(MontourError):
    http_status, code = 409, "feature_off"


class AgentRequired(MontourError):
    http_status, code = 400, "agent_required"


class CallbackTaken(MontourError):
    http_status, code = 409, "callback_taken"


class CallbackDone(MontourError):
    http_status, code = 409, "callback_done"


class NotYours(MontourError):
    http_status, code = 403, "not_yours"


class KeyInvalid(MontourError):
    http_status, code = 422, "key_invalid"


class SlotFull(MontourError):
    http_status, code = 409, "slot_full"
