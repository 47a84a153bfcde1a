"""A JSON call to a local server, for the tests of the served page and the served pyfunc."""

from __future__ import annotations

import json
import urllib.error
import urllib.request


def call(url: str, payload: object = None, raw: bytes | None = None) -> tuple[int, str]:
    """GET ``url`` (no payload) or POST ``payload`` as JSON (or ``raw`` bytes); the status and body,
    errors included."""
    data = raw if raw is not None else (None if payload is None else json.dumps(payload).encode())
    request = urllib.request.Request(
        url,
        data=data,
        method="GET" if data is None else "POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
