"""The pages' script and style files: read once from the package, served with a version in
their URL so that browsers may cache them for a day and still get a new file after an update."""

from __future__ import annotations

import hashlib
from importlib import resources

from fastapi.responses import Response

from shared.core.errors import NotFound

_MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


class Assets:
    def __init__(self, prefix: str, *names: str) -> None:
        self._files: dict[str, tuple[bytes, str]] = {}
        self.urls: dict[str, str] = {}
        for name in names:
            content = resources.files(__package__).joinpath(name).read_bytes()
            self._files[name] = (content, _MEDIA_TYPES[name[name.rindex(".") :]])
            self.urls[name] = f"{prefix}/{name}?v={hashlib.sha256(content).hexdigest()[:12]}"

    def response(self, name: str) -> Response:
        if name not in self._files:
            raise NotFound(f"No such file: {name}.")
        content, media_type = self._files[name]
        headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}
        return Response(content, media_type=media_type, headers=headers)
