"""The crisis package is pure Python: importing it must not import Django."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_crisis_does_not_import_django() -> None:
    script = (
        "import sys\n"
        "import moderation.crisis\n"
        "moderation.crisis.assess('I want to kill myself tonight')\n"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
