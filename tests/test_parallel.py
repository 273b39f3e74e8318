"""The test run's own set-up: README's test command (.ci/run) spreads the tests over the cores
with pytest-xdist, keeping the tests that share one pose-model run on one worker (conftest's
``xdist_group`` marks). If a pytest or xdist release stops honouring the marks, every worker runs
the model again on the same samples and the run silently takes much longer: this catches it."""

import subprocess
import sys


def test_tests_of_one_group_run_on_one_worker(tmp_path):
    (tmp_path / "test_groups.py").write_text(
        "import os, pytest\n"
        "@pytest.mark.xdist_group('one')\n"
        "@pytest.mark.parametrize('i', range(6))\n"
        "def test_member(i):\n"
        "    with open(os.path.join(os.path.dirname(__file__), 'workers.txt'), 'a') as f:\n"
        "        f.write(os.environ['PYTEST_XDIST_WORKER'] + '\\n')\n"
    )
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup",
                        "-p", "no:cacheprovider", "test_groups.py"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    workers = (tmp_path / "workers.txt").read_text().split()
    assert len(workers) == 6 and len(set(workers)) == 1, workers
