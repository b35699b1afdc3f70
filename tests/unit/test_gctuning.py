"""The servers' garbage-collector settings (apimachinery/gctuning.py): start-up objects frozen, a higher
first-generation threshold. Run in a child interpreter so this test process keeps Python's defaults."""

from __future__ import annotations

import subprocess
import sys

from apimachinery import gctuning

PROBE = """
import gc
from apimachinery import gctuning
before = gc.get_freeze_count()
gctuning.after_start()
print(before, gc.get_freeze_count(), *gc.get_threshold())
"""


def test_after_start_freezes_what_start_up_made_and_raises_the_threshold() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], check=True, capture_output=True, text=True).stdout.split()
    before, frozen, *thresholds = (int(value) for value in out)
    assert before == 0 and frozen > 1000
    assert tuple(thresholds) == gctuning.THRESHOLDS
    assert gctuning.THRESHOLDS[0] > 700  # Python's default, which this is about
