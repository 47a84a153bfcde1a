"""Named moments of a train that a fault test can strike at, announced by the code itself.

A train passes these stages, in order: ``updating_priors``, ``sampling``,
``cv_task`` (every evaluation task), ``recording``, ``writing_artifact``
(the model's files written, not yet moved into ``models/runs/``) and
``commit`` (about to finish the runs, set the alias and promote the champion).

Normally :func:`reached` does nothing. With ``TUMORCLF_PAUSE_AT=<stage>`` in
the environment, the first time a process reaches that stage it writes
``<stage> <pid>`` to the file named by ``TUMORCLF_STAGE_MARKER`` and waits
there (at most ``TUMORCLF_PAUSE_SECONDS``, default 120), so that a test can
send its signal at exactly that moment instead of after a guessed fraction
of a wall time.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

STAGES = ("updating_priors", "sampling", "cv_task", "recording", "writing_artifact", "commit")
PAUSE_AT = "TUMORCLF_PAUSE_AT"
MARKER = "TUMORCLF_STAGE_MARKER"
PAUSE_SECONDS = "TUMORCLF_PAUSE_SECONDS"

_paused: set[str] = set()


def reached(stage: str) -> None:
    """Announce ``stage``; under a fault test, pause here once (see the module docstring)."""
    if os.environ.get(PAUSE_AT) != stage or stage in _paused:
        return
    _paused.add(stage)
    marker = os.environ.get(MARKER)
    if marker:
        partial = Path(f"{marker}.{os.getpid()}.tmp")
        partial.write_text(f"{stage} {os.getpid()}\n", encoding="utf-8")
        os.replace(partial, marker)  # the marker appears whole
    deadline = time.monotonic() + float(os.environ.get(PAUSE_SECONDS, "120"))
    while time.monotonic() < deadline:
        time.sleep(0.05)  # a signal interrupts this wait: KeyboardInterrupt, or the process ends


__all__ = ["MARKER", "PAUSE_AT", "PAUSE_SECONDS", "STAGES", "reached"]
