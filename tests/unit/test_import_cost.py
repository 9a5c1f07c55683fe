"""`pgy` starts without loading the heavy libraries only some commands need."""

from __future__ import annotations

import subprocess
import sys


def test_the_command_line_loads_no_dataframe_solver_or_chart_library() -> None:
    code = (
        "import sys, pgyscout.cli, pgyscout.analysis, pgyscout.export; "
        "print(sorted(m for m in ('pandas', 'scipy', 'plotly', 'openpyxl', 'pyarrow', 'jinja2')"
        " if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
