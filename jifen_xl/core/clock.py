"""The wall clock, for refusing only (SPEC C-8): a command may refuse a final result whose
notice has not ended by today, but today's date never enters an output.

``JIFEN_TODAY`` (an ISO date) stands in for today, so tests and demos are reproducible."""
from __future__ import annotations

import os
from datetime import date


def today() -> date:
    fixed = os.environ.get("JIFEN_TODAY", "").strip()
    if fixed:
        try:
            return date.fromisoformat(fixed[:10])
        except ValueError:
            pass
    return date.today()
