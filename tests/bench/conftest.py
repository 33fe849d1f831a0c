"""Makes the benchmark's own modules importable as ``bench``, as its
scripts run them from the project's root."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
