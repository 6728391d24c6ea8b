"""The benchmarks' worker protocol: a fresh interpreter, progress and one JSON result."""

from __future__ import annotations

import pytest

from coursekit.errors import CourseKitError
from coursekit.instructor._worker import run_worker

CHILD = '''
import sys
from coursekit.instructor._worker import emit, progress

print("some library's chatter on stdout")
print("and on stderr", file=sys.stderr)
if sys.argv[1] == "fail":
    raise SystemExit("the measurement broke")
if sys.argv[1] == "silent":
    sys.exit(0)
for epoch in range(1, int(sys.argv[1]) + 1):
    progress({"epoch": epoch})
emit({"seconds": [1.5, 3.0], "data": "MNIST"})
'''


@pytest.fixture
def child(tmp_path, monkeypatch):
    (tmp_path / "fake_measure.py").write_text(CHILD)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    return "fake_measure"


def test_progress_arrives_in_order_and_the_result_is_returned(child):
    seen: list[dict] = []
    result = run_worker(child, ["3"], on_progress=seen.append)
    assert seen == [{"epoch": 1}, {"epoch": 2}, {"epoch": 3}]
    assert result == {"seconds": [1.5, 3.0], "data": "MNIST"}


@pytest.mark.parametrize(("arg", "why"), [("fail", "exit 1"), ("silent", "no result")])
def test_a_failed_child_is_named_with_its_stderr(child, arg, why):
    with pytest.raises(CourseKitError, match=why) as info:
        run_worker(child, [arg], label="bench: mlp-mnist / course")
    message = str(info.value)
    assert message.startswith("bench: mlp-mnist / course failed")
    assert "and on stderr" in message
