"""The test harness's real processes: one that logs a lot never blocks on its stderr."""
from __future__ import annotations

import os

from tests.lotsen_processes import python, stderr_of


def test_a_process_that_logs_more_than_a_pipe_holds_runs_to_its_end():
    code = "import sys\nfor i in range(4000): print(f'line {i:05d} ' + 'x' * 60, file=sys.stderr)\nsys.exit(3)"
    with python(code, dict(os.environ)) as process:
        assert process.wait(timeout=60) == 3  # with a pipe nobody reads, it would wait here forever
        logged = stderr_of(process).splitlines()
    assert len(logged) == 4000 and logged[-1].startswith("line 03999 ")
