"""Defaults shared by the engine, its reports and the dashboard: each is defined here once."""

from __future__ import annotations

TOP_K = 5  # the top words that the trust checks (stability, faithfulness, signs) and the reports look at
CONFIDENCE = 0.95  # nominal coverage of the weight intervals (0.95: a 95 % interval)
