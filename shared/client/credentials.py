"""A device's pairing, kept between runs: which office, which hub, and its token.

One small JSON file per role in the user's configuration directory (platformdirs), readable by
its owner only: the token is the device's right to write (a kiosk issues tickets).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import platformdirs


@dataclass(frozen=True)
class Credentials:
    role: str
    office: str  # the office id the hub announced at pairing
    hub_url: str  # where the device last reached its hub (discovery may find it elsewhere)
    token: str
    name: str = ""


def default_dir() -> Path:
    return Path(platformdirs.user_config_dir("montour"))


def path_for(role: str, directory: Path | None = None) -> Path:
    return (directory or default_dir()) / f"{role}.json"


def load(role: str, directory: Path | None = None) -> Credentials | None:
    """The stored pairing of this role, or None when the device was never paired (or the file
    is unreadable: pairing again is the cure, so it is not an error)."""
    try:
        raw = json.loads(path_for(role, directory).read_text(encoding="utf-8"))
        return Credentials(**{k: str(raw[k]) for k in ("role", "office", "hub_url", "token")},
                           name=str(raw.get("name", "")))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(creds: Credentials, directory: Path | None = None) -> Path:
    """Write atomically (a crash never leaves half a file) with mode 0600."""
    path = path_for(creds.role, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(asdict(creds), f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path


def forget(role: str, directory: Path | None = None) -> None:
    path_for(role, directory).unlink(missing_ok=True)
