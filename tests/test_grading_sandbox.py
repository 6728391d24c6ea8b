"""The kernel's operating-system sandbox and the grader's distrust of what a kernel wrote.

Each mechanism is proven once, at the cheapest level that shows it:

- the sandbox itself (bubblewrap + the launcher, exactly as a kernel starts, but
  running a few lines of Python instead of a kernel): what it can see, reach,
  signal, write and leave behind, each next to the same code run unconfined,
  so the test would fail without the sandbox;
- the evidence caps and the judging process, on forged evidence files;
- what the grader sends into kernels (hidden checks cut down to ``collect``);
- the refusal without bubblewrap, and ``--no-sandbox``'s warning.

Then one grading run (``hostile``, ``jobs=2``, marked ``slow``) is attacked from
inside submitted notebooks built from notebook 01's blank exercise, next to
honest submissions. An attack that succeeds *solves the exercise* (it execs the
solution's cells), so its score is the channel that would show a leak: each
attacker must score what the blank exercise scores. ``canary`` proves the
channel works: it solves when it sees the grader's (public) extraction cell.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import psutil
import pytest
from test_grading import (
    SOLUTIONS,
    exercise,
    read_csv,
    save,
    solution,
    tiny,
    with_cell,
    write_hidden,
)
from test_grading_kernel import _PeakMemory

import coursekit
from coursekit.checks import get_check
from coursekit.instructor.cli import main
from coursekit.instructor.grading import Grader, grade, load_hidden_checks, read_outcome
from coursekit.instructor.grading.bwrap import _UID_BASE, SandboxUnavailable, bwrap_args, probe
from coursekit.instructor.grading.cgroup import _own, _sweep
from coursekit.instructor.grading.judging import JudgeProcess
from coursekit.instructor.grading.sandbox import LAUNCHER, KernelFolder, Limits, Watchdog

ROOT = Path(__file__).resolve().parents[1]
SECRET = "GRADER-SECRET-93f1c0a7d2b54e68"

needs_bwrap = pytest.mark.skipif(probe() is not None, reason=f"no sandbox here: {probe()}")


def run_code(code: str, *, sandboxed: bool = True, limits: Limits | None = None,
             timeout: float = 60) -> dict:
    """Run ``code`` as a kernel would start (launcher, limits, sandbox); its JSON on stdout."""
    limits = limits or Limits()
    folder = KernelFolder(sandboxed, limits)
    try:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(folder.home)}
        cmd = [sys.executable, str(LAUNCHER), *limits.launcher_args(0, folder.uid), "--",
               sys.executable, "-c", textwrap.dedent(code)]
        if sandboxed:
            join = folder.cgroup.join_command() if folder.cgroup else []
            cmd = [*join, *bwrap_args(folder.sandbox(env, limits)), *cmd]
        else:
            folder.home.mkdir()
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              cwd=folder.root, env={**os.environ, **env} if not sandboxed
                              else env)
        if done.returncode != 0:
            return {"returncode": done.returncode,
                    "out_of_memory": bool(folder.cgroup and folder.cgroup.out_of_memory())}
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        folder.remove()


@needs_bwrap
def test_a_mirror_under_tmp_is_bound_over_the_private_tmp(tmp_path, monkeypatch):
    """What the sandbox binds read-only (the dataset mirror here; a Python environment or a
    checkout in a CI clone alike) may live under /tmp: it is mounted over the sandbox's
    private /tmp, not hidden by it."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "mnist.npz").write_bytes(b"not really")
    monkeypatch.setenv("COURSEKIT_DATA_DIR", str(mirror))
    seen = run_code(f"import json, os; print(json.dumps(os.listdir({str(mirror)!r})))")
    assert seen == ["mnist.npz"]


SNOOP = """
import glob, json, os, sys
paths = {paths!r}
readable = []
for p in paths:
    try:
        with open(p, "rb") as f:
            f.read(1)
        readable.append(p)
    except OSError:
        pass
secret = {half!r} + {half2!r}  # never whole in this program's own cmdline
environ = []
for p in glob.glob("/proc/[0-9]*/environ") + glob.glob("/proc/[0-9]*/cmdline"):
    try:
        environ.append(open(p, "rb").read().decode("latin-1"))
    except OSError:
        pass
try:
    os.kill({pid}, 0)
    signalled = True
except OSError:
    signalled = False
wrote = []
for p in {writable!r}:
    try:
        with open(p, "a") as f:
            f.write("# pwned")
        wrote.append(p)
    except OSError:
        pass
print(json.dumps({{"uid": os.getuid(), "readable": readable, "signalled": signalled,
                  "secret": any(secret in e for e in environ) or secret in str(os.environ),
                  "pids": len(glob.glob("/proc/[0-9]*")), "wrote": wrote,
                  "root": sorted(os.listdir("/"))}}))
"""


@needs_bwrap
def test_the_sandbox_sees_no_file_process_or_variable_of_the_graders(tmp_path, monkeypatch):
    """Solutions, the hidden folder, other submissions, the gradebook, the grader's
    /proc/<pid>/environ and cmdline: all readable unconfined, none in the sandbox; the
    installed coursekit and site-packages are not writable; the grader cannot be signalled."""
    monkeypatch.setenv("CK_TEST_TOKEN", SECRET)
    hidden, other, book = tmp_path / "hidden.py", tmp_path / "bob.ipynb", tmp_path / "g.csv"
    for path in (hidden, other, book):
        path.write_text("x")
    package = Path(coursekit.__file__).resolve().parent
    # files the unconfined run appends to: copies, not the real package
    decoy = tmp_path / "decoy.py"
    decoy.write_text("")
    paths = [str(SOLUTIONS / "01_mlp.ipynb"), str(hidden), str(other), str(book),
             str(ROOT / "tests" / "conftest.py"), f"/proc/{os.getpid()}/environ",
             str(Path.home() / ".bash_history"), "/etc/shadow"]
    writable = [str(package / "checks" / "nb01.py"),
                str(Path(np.__file__).parents[1] / "sitecustomize.py")]
    halves = {"half": SECRET[:10], "half2": SECRET[10:]}
    code = SNOOP.format(paths=paths, pid=os.getpid(), writable=writable, **halves)
    before = (package / "checks" / "nb01.py").read_bytes()

    inside = run_code(code)
    assert inside["readable"] == [] and not inside["secret"] and not inside["signalled"]
    assert inside["wrote"] == []
    assert inside["uid"] != 0 and inside["uid"] != os.getuid()
    assert inside["pids"] <= 3  # bwrap's init, the launcher's program (and glob's parent)
    assert (package / "checks" / "nb01.py").read_bytes() == before

    outside = run_code(SNOOP.format(paths=paths, pid=os.getpid(), writable=[str(decoy)],
                                    **halves), sandboxed=False)
    assert {str(hidden), str(other), str(book)} <= set(outside["readable"])
    assert outside["signalled"] and outside["secret"] and outside["wrote"] == [str(decoy)]


NET = """
import json, socket
reached = []
for host, port in {targets!r}:
    try:
        socket.create_connection((host, port), timeout=3).close()
        reached.append(port)
    except OSError:
        pass
print(json.dumps({{"reached": reached}}))
"""


@needs_bwrap
def test_the_sandbox_has_no_network_not_even_the_graders_loopback():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    threading.Thread(target=lambda: [server.accept() for _ in range(2)], daemon=True).start()
    code = NET.format(targets=[("127.0.0.1", port), ("1.1.1.1", 53)])
    try:
        assert run_code(code)["reached"] == []
        assert port in run_code(code, sandboxed=False)["reached"]
    finally:
        server.close()


LEAVE = """
import json, os, subprocess, sys, time
wait = ["/bin/sh", "-c", "sleep 300; exit 0", {marker!r}]  # $0 is the marker
if os.fork() == 0:  # double fork: the grandchild is orphaned at once
    if os.fork() == 0:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.execv(wait[0], wait)
    os._exit(0)
quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
subprocess.Popen(wait, start_new_session=True, **quiet)
subprocess.Popen(["nohup", *wait], **quiet)
time.sleep(0.5)
print(json.dumps({{"left": 3}}))
"""


def _marked(marker: str) -> list[psutil.Process]:
    out = []
    for p in psutil.process_iter(["cmdline"]):
        if marker in (p.info["cmdline"] or []):
            out.append(p)
    return out


@pytest.mark.slow
@needs_bwrap
def test_processes_a_kernel_leaves_behind_die_with_its_sandbox():
    """Double fork, setsid and nohup children survive their parent unconfined; in the
    sandbox they die with it (its PID namespace ends with its first process)."""
    marker = f"ck-left-behind-{os.getpid()}"
    run_code(LEAVE.format(marker=marker))
    time.sleep(0.5)
    assert _marked(marker) == []

    run_code(LEAVE.format(marker=marker), sandboxed=False)
    survivors = _marked(marker)
    for p in survivors:
        p.kill()
    assert len(survivors) == 3


BOMBS = """
import json, os, time
children = 0
try:
    while children < 200:
        pid = os.fork()
        if pid == 0:
            time.sleep(5)
            os._exit(0)
        children += 1
except OSError:
    pass
def fill(path, mb):
    try:
        with open(path, "wb") as f:
            for _ in range(mb):
                f.write(b"x" * 2**20)
        return mb
    except OSError:
        return os.path.getsize(path) // 2**20
print(json.dumps({"children": children, "tmp": fill("/tmp/fill", 8),
                  "home": fill(os.path.expanduser("~/fill"), 8)}))
"""


@pytest.mark.slow
@needs_bwrap
def test_process_count_file_size_and_tmpfs_are_limited():
    limits = Limits(processes=40, file_mb=6, disk_mb=4)
    inside = run_code(BOMBS, limits=limits)
    assert inside["children"] < 40  # RLIMIT_NPROC of the sandbox's own uid
    assert inside["tmp"] <= 4 and inside["home"] <= 4  # of 8 MB: the tmpfs is full at 4
    outside = run_code(BOMBS, sandboxed=False, limits=Limits(processes=0, file_mb=6))
    assert outside["children"] == 200 and outside["home"] == 6  # then RLIMIT_FSIZE


HOG = """
import json
block = b"x" * (900 * 2**20)
print(json.dumps({"allocated": len(block) // 2**20}))
"""


@pytest.mark.slow
@needs_bwrap
def test_the_kernels_cgroup_kills_it_at_its_hard_memory_limit():
    """Memory the watchdog might not see in time (or at all: tmpfs pages) stops at the
    cgroup's limit: here memory 64 MB + 3 tmpfs of 16 MB + 512 MB of margin."""
    limits = Limits(memory_mb=64, disk_mb=16)
    probe_folder = KernelFolder(True, limits)
    probe_folder.remove()
    if probe_folder.cgroup is None:
        pytest.skip("this machine lets the grader make no memory and pids cgroup")
    mine = f"ck-kernel-*.{os.getpid()}"  # this grader's groups (others may be grading)
    inside = run_code(HOG, limits=limits)
    assert inside["returncode"] != 0 and inside["out_of_memory"]
    assert run_code(HOG, sandboxed=False, limits=limits) == {"allocated": 900}
    assert not list(_own("memory").glob(mine))  # each removed after its run


def test_groups_left_by_a_grader_that_died_are_removed_by_the_next(tmp_path):
    """A Dask worker killed mid-submission cannot remove its kernel's group: the next
    group made below the same parent removes every group whose creator is gone."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for name in (f"ck-kernel-gone.{dead.pid}", f"ck-kernel-live.{os.getpid()}", "other"):
        (tmp_path / name).mkdir()
    _sweep(tmp_path, "ck-kernel")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"ck-kernel-live.{os.getpid()}", "other"])


def test_kernel_folders_left_by_a_grader_that_died_are_removed_by_the_next(tmp_path,
                                                                         monkeypatch):
    """The same for the kernel's folder in the temporary folder: the next kernel folder
    made there deletes those of graders that are gone, and only those."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for name in (f"ck-kernel-gone.{dead.pid}", f"ck-kernel-live.{os.getpid()}", "other"):
        (tmp_path / name / "private").mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    folder = KernelFolder(False)
    try:
        assert folder.root.parent == tmp_path and folder.root.name.endswith(f".{os.getpid()}")
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            [f"ck-kernel-live.{os.getpid()}", "other", folder.root.name])
    finally:
        folder.remove()


def test_the_watchdog_takes_a_kernels_processes_from_its_cgroup():
    """With a cgroup, the kernel's processes are the group's members (one file read, not
    every process of the machine), descendants of the kernel's process or not; a kill
    reaches every one of them."""
    # sessions of their own: the watchdog also kills the kernel's process group
    root = subprocess.Popen(["sleep", "60"], start_new_session=True)
    stray = subprocess.Popen(["sleep", "60"], start_new_session=True)  # only the group has it

    class Group:
        def pids(self):
            return {root.pid, stray.pid}

    dog = Watchdog(root.pid, 2**40, cgroup=Group())
    try:
        assert sorted(p.pid for p in dog._tree()) == sorted([root.pid, stray.pid])
        dog.kill("memory limit")
        assert root.wait(5) and stray.wait(5)  # both killed (a signal's negative code)
        assert dog.reason == "memory limit"
    finally:
        for proc in (root, stray):
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_without_bubblewrap_grading_refuses_with_what_to_install(tmp_path, monkeypatch,
                                                                 capsys):
    monkeypatch.setenv("COURSEKIT_BWRAP", "/bin/false")
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
        Grader(SOLUTIONS)
    bad = tmp_path / "alice_01_mlp.ipynb"
    bad.write_text("{not json")
    assert main(["grade", str(bad), "--out", str(tmp_path / "g.csv"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "apt-get install bubblewrap" in err
    assert "--no-sandbox" in err and not (tmp_path / "g.csv").exists()

    assert main(["grade", str(bad), "--out", str(tmp_path / "g.csv"), "--no-progress",
                 "--no-sandbox"]) == 0
    assert "WARNING: --no-sandbox" in capsys.readouterr().err


# -- evidence a kernel wrote: caps before anything large is built ----------------------------
def _manifest(folder: Path, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_bytes(text.encode() if isinstance(text, str) else text)
    return folder


def _sparse_npy(path: Path, nbytes: int, shape: tuple[int, ...] | None = None) -> None:
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "<f8", "fortran_order": False,
                                                 "shape": shape or (nbytes // 8,)})
        f.truncate(f.tell() + nbytes)  # a hole: no disk, but 256 MB once loaded


@pytest.mark.slow
def test_evidence_bombs_are_refused_unread(tmp_path):
    """A 200,000-deep manifest, many references to one sparse 256 MB .npy, a header that
    claims more than the file holds: each refused, in little time and memory."""
    limit = 256 * 2**20
    _manifest(tmp_path / "deep", '{"kind": "evidence", "tree": ' + "[" * 200_000
                     + "]" * 200_000 + "}")
    refs = _manifest(tmp_path / "refs", json.dumps(
        {"kind": "evidence", "tree": [{"__ndarray__": "1.npy"}] * 1000}))
    _sparse_npy(refs / "1.npy", limit - 200)
    lying = _manifest(tmp_path / "lying", json.dumps({"kind": "evidence",
                                                      "tree": {"__ndarray__": "1.npy"}}))
    _sparse_npy(lying / "1.npy", 8, shape=(2**40,))
    many = _manifest(tmp_path / "many", json.dumps(
        {"kind": "evidence", "tree": [{"__ndarray__": f"{i}.npy"} for i in range(1, 5)]}))
    for i in range(1, 5):
        _sparse_npy(many / f"{i}.npy", 100 * 2**20)
    tracemalloc.start()
    started = time.monotonic()
    try:
        outcomes = {name: read_outcome(tmp_path / name, limit)
                    for name in ("deep", "refs", "lying", "many")}
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert {o.kind for o in outcomes.values()} == {"refused"}, outcomes
    assert "nested" in outcomes["deep"].message
    assert "twice" in outcomes["refs"].message
    assert "header" in outcomes["lying"].message
    assert "larger than 256 MB" in outcomes["many"].message
    assert peak < 40 * 2**20 and time.monotonic() - started < 10


HUNGRY = '''
from coursekit.checks import Check

class Hungry(Check):
    id = "01.hidden_hungry"
    notebook = "01_mlp"
    target = "01.build_mlp"

    def judge(self, evidence):
        return self.ok(str(len(bytearray(64 * 2**30))))


class Slow(Check):
    id = "01.hidden_slow"
    notebook = "01_mlp"
    target = "01.build_mlp"

    def judge(self, evidence):
        while True:
            pass


class Patient(Check):  # slow in wall time only, as on a loaded machine
    id = "01.hidden_patient"
    notebook = "01_mlp"
    target = "01.build_mlp"

    def judge(self, evidence):
        import time

        time.sleep(6)
        return self.ok("judged")
'''


@pytest.mark.slow
def test_judging_runs_in_a_limited_process_that_a_bad_judgement_cannot_take_down(tmp_path):
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "h.py").write_text(HUNGRY)
    folder = _manifest(tmp_path / "e", json.dumps({"kind": "evidence", "tree": 1}))
    checks = load_hidden_checks(hidden)
    judge = JudgeProcess(hidden, timeout=5)
    try:
        me = psutil.Process()
        before = me.memory_info().rss
        hungry = judge.judge(checks["01.hidden_hungry"].check, folder, 2**20, 10)
        slow = judge.judge(checks["01.hidden_slow"].check, folder, 2**20, 10)
        assert me.memory_info().rss - before < 50 * 2**20
        fine = judge.judge(get_check("01.param_count"), None, 2**20, 10, kind="missing")
        patient = judge.judge(checks["01.hidden_patient"].check, folder, 2**20, 10)
    finally:
        judge.close()
    assert not hungry.passed and "MemoryError" in hungry.message  # RLIMIT_AS of the worker
    assert not slow.passed and "longer than 5 s of CPU time" in slow.message
    # The budget is CPU time: 6 s of waiting (a loaded machine's wall time) costs no points.
    assert patient.passed, patient.message
    assert not fine.passed and "expected" in fine.message  # the worker came back


# -- what enters a kernel --------------------------------------------------------------------
OWN_COLLECT = '''
from coursekit.checks import Check
# COMMENT-TOKEN-5d1e
EXPECTED = 7950  # JUDGE-ONLY-TOKEN

class Count{n}(Check):
    """DOCSTRING-TOKEN"""
    id = "{nb}.hidden_count"
    notebook = "{stem}"
    target = "{target}"
    answer = EXPECTED

    def collect(self, f):
        return int(f(10, 1))

    def judge(self, evidence):
        return self.ok("JUDGE-TEXT") if evidence == self.answer else self.fail("no")
'''


@pytest.mark.slow
def test_kernels_get_only_their_notebooks_checks_and_never_a_judge(tmp_path):
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "a.py").write_text(OWN_COLLECT.format(n=1, nb="01", stem="01_mlp",
                                                    target="param_count"))
    (hidden / "b.py").write_text(OWN_COLLECT.format(n=2, nb="02", stem="02_cnn",
                                                    target="build_cnn"))
    grader = Grader(SOLUTIONS, hidden)
    try:
        sent = grader.kernel_sources["01_mlp"]
    finally:
        grader.close()
    # notebook 01's check module, the modules it imports, and the one hidden check of 01
    assert sorted(sent) == ["coursekit.checks._activations", "coursekit.checks._cell_status",
                            "coursekit.checks._core", "coursekit.checks._facts",
                            "coursekit.checks._question", "coursekit.checks._returns",
                            "coursekit.checks._trained", "coursekit.checks.nb01",
                            "coursekit_hidden_a"]
    text = sent["coursekit_hidden_a"]
    assert "def collect" in text and "class Count1" in text
    for secret in ("def judge", "JUDGE", "EXPECTED", "TOKEN", "7950", "answer"):
        assert secret not in text, (secret, text)
    assert "build_cnn" not in "".join(sent.values())


@pytest.mark.slow
def test_a_check_module_gets_the_check_modules_it_imports():
    grader = Grader(SOLUTIONS)
    try:
        stems = [s for s in grader.kernel_sources if s.startswith("05")]
        assert stems and "coursekit.checks.nb03" in grader.kernel_sources[stems[0]]
    finally:
        grader.close()



# -- one hostile grading run ----------------------------------------------------------------
HIDDEN_TOKEN = "HIDDEN-7b2e4c1d9a0f6e3b5c8d"
OTHER_TOKEN = "OTHER-NOTEBOOK-1c5e9a7b3d2f"
VICTIM_TOKEN = "VICTIM-3f6a1e9c7b5d2a8e4c0b"
ENV_TOKEN = "GRADER-ENV-0d4b8f2a6c1e9d3b7a5f"

OTHER_NOTEBOOK_CHECK = f'''
from coursekit.checks import Check

class Other(Check):
    id = "02.hidden_other"
    notebook = "02_cnn"
    target = "build_cnn"

    def collect(self, build_cnn):
        return "{OTHER_TOKEN}"

    def judge(self, evidence):
        return self.ok("fine")
'''

BURGLAR = """
import glob, json, os, socket
import coursekit
SOLVE = {solve!r}
found = []
# 1. the reference solutions, wherever they are on disk
places = [os.path.dirname(os.path.dirname(coursekit.__file__)), {repo!r}, "/",
          os.path.expanduser("~")]
for place in places:
    found += glob.glob(os.path.join(place, "solutions", "*.ipynb"))
for top, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev", "usr", "lib", "lib64",
                                            "include", "share", "site-packages")]
    found += [os.path.join(top, f) for f in files if f.endswith("01_mlp.ipynb")]
for path in found:
    try:
        cells = json.load(open(path))["cells"]
    except Exception:
        continue
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "code" and "BEGIN SOLUTION" in text and "SOLVE" not in text:
            exec(text, globals())
# 2. the grader's environment and command line, the hidden folder, the others, the gradebook
secret = {half!r} + {half2!r}
leaks = []
for path in glob.glob("/proc/*/environ") + glob.glob("/proc/*/cmdline") + [
        "/proc/{grader}/environ", "/proc/{grader}/cmdline"]:
    try:
        if secret.encode() in open(path, "rb").read():
            leaks.append(path)
    except OSError:
        pass
for path in {private!r}:
    try:
        open(path, "rb").read(1)
        leaks.append(path)
    except OSError:
        pass
# 3. the network, the grader's loopback included
for host, port in [("127.0.0.1", {port}), ("1.1.1.1", 53), ("pypi.org", 443)]:
    try:
        socket.create_connection((host, port), timeout=2).close()
        leaks.append(host)
    except OSError:
        pass
# 4. code inside the grader: edit the installed checks, drop modules on its sys.path
import coursekit.checks.nb01 as nb01, site
targets = [nb01.__file__, os.path.join(os.path.dirname(nb01.__file__), "zz_evil.py")]
targets += [os.path.join(d, n) for d in site.getsitepackages()
            for n in ("sitecustomize.py", "usercustomize.py", "zz-evil.pth")]
for path in targets:
    try:
        with open(path, "a") as f:
            f.write("\\nimport os\\nos.environ['PWNED'] = '1'\\n")
        leaks.append(path)
    except OSError:
        pass
if leaks:
    exec(SOLVE, globals())
"""

CAPTURE = """
ip = get_ipython()
SOLVE = {solve!r}
def spy(info):
    text = info.raw_cell or ""
    if any(marker in text for marker in {markers!r}):
        exec(SOLVE, ip.user_ns)
ip.events.register("pre_run_cell", spy)
"""

LEAVER = """
import os, subprocess
wait = ["/bin/sh", "-c", "sleep 600; exit 0", {marker!r}]
quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:
    if os.fork() == 0:
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.execv(wait[0], wait)
    os._exit(0)
subprocess.Popen(wait, start_new_session=True, **quiet)
subprocess.Popen(["nohup", *wait], **quiet)
"""

KILLER = """
import os, signal, time
deadline = time.monotonic() + 25
me = {{os.getppid(), 1, *(int(t) for t in os.listdir("/proc/self/task"))}}
while time.monotonic() < deadline:
    for pid in [{grader}, *range(2, 400), *[int(p) for p in os.listdir("/proc") if p.isdigit()]]:
        if pid in me:
            continue
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except OSError:
                pass
    time.sleep(0.2)
"""

EVIDENCE_BOMBS = """
import json, os
import numpy as np
real_dump = json.dump
def bomb(obj, f, *args, **kwargs):
    name = getattr(f, "name", "")
    if not str(name).endswith("manifest.json"):
        return real_dump(obj, f, *args, **kwargs)
    folder = os.path.dirname(name)
    if folder.endswith("/0"):
        f.write('{"kind": "evidence", "tree": ' + "[" * 200000 + "]" * 200000 + "}")
        return
    with open(os.path.join(folder, "1.npy"), "wb") as g:
        np.lib.format.write_array_header_1_0(
            g, {"descr": "<f8", "fortran_order": False, "shape": (2**25 - 2**10,)})
        g.truncate(g.tell() + (2**25 - 2**10) * 8)  # 256 MB, sparse: within the limit
    f.write(json.dumps({"kind": "evidence", "tree": [{"__ndarray__": "1.npy"}] * 5000}))
json.dump = bomb
"""


def _solve_source(solved) -> str:
    from coursekit.instructor.build import BEGIN

    return "\n\n".join(c.source for c in solved.cells if BEGIN in c.source)


def _tree_digest(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.py"))}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, shared_mirror):
    if probe() is not None:
        pytest.skip(f"no sandbox here: {probe()}")
    root = tmp_path_factory.mktemp("hostile")
    subs, out = root / "subs", root / "grades.csv"
    hidden = write_hidden(root / "hidden", HIDDEN_TOKEN)
    (hidden / "other.py").write_text(OTHER_NOTEBOOK_CHECK)
    solved, blank = tiny(solution("01_mlp"), "01_mlp"), tiny(exercise("01_mlp"), "01_mlp")
    solve = _solve_source(solved)
    server = socket.create_server(("127.0.0.1", 0))
    marker = f"ck-hostile-{os.getpid()}"
    save(solved, subs / "alice_01_mlp.ipynb")
    save(with_cell(blank, KILLER.format(grader=os.getpid())), subs / "amy_01_mlp.ipynb")
    victim = save(with_cell(blank, f'note = "{VICTIM_TOKEN}"'), subs / "bob_01_mlp.ipynb")
    private = [*(str(p) for p in hidden.iterdir()), str(victim), str(out),
               str(SOLUTIONS / "01_mlp.ipynb")]
    save(with_cell(blank, BURGLAR.format(
        solve=solve, repo=str(ROOT), half=ENV_TOKEN[:12], half2=ENV_TOKEN[12:],
        grader=os.getpid(), private=private, port=server.getsockname()[1])),
        subs / "burglar_01_mlp.ipynb")
    save(with_cell(blank, CAPTURE.format(solve=solve, markers=["_ck_prepare_"])),
         subs / "canary_01_mlp.ipynb")
    save(with_cell(blank, CAPTURE.format(solve=solve, markers=[
        HIDDEN_TOKEN, OTHER_TOKEN, "secret hint", "784 * 10 + 10 + 10 * 10", "def judge(self, "
        "evidence):\n        if type(evidence)", "nb02", "02_cnn", "deep enough"])),
        subs / "capture_01_mlp.ipynb")
    save(with_cell(blank, LEAVER.format(marker=marker)), subs / "leaver_01_mlp.ipynb")
    bombs = with_cell(blank, EVIDENCE_BOMBS)
    # (an 8 MB markdown cell is refused before any kernel: test_grading_gradebook.py)
    save(bombs, subs / "mallory_01_mlp.ipynb")
    save(solved, subs / "zed_01_mlp.ipynb")

    package = Path(coursekit.__file__).resolve().parent
    site_packages = Path(np.__file__).resolve().parents[1]
    before = (_tree_digest(package), sorted(p.name for p in site_packages.iterdir()))
    mp = pytest.MonkeyPatch()
    mp.setenv("CK_GRADER_TOKEN", ENV_TOKEN)
    try:
        with _PeakMemory() as memory:
            results = grade([subs], out, timeout=120, jobs=2, hidden=hidden,
                            feedback=root / "feedback", progress=False, summary=False)
        survivors = _marked(marker)
        again = grade([subs / "zed_01_mlp.ipynb"], root / "again.csv", hidden=hidden,
                      progress=False, summary=False)
    finally:
        mp.undo()
        server.close()
        for p in _marked(marker):
            p.kill()
    after = (_tree_digest(package), sorted(p.name for p in site_packages.iterdir()))
    return {"root": root, "out": out, "rows": {r["student"]: r for r in read_csv(out)},
            "results": {r.student: r for r in results}, "memory": memory,
            "survivors": survivors, "again": again, "unchanged": before == after,
            "texts": [out.read_text(), *(p.read_text() for p in (root / "feedback").iterdir())]}


HONEST = {"alice": "5", "zed": "5", "bob": "0"}
ATTACKERS = ("amy", "burglar", "capture", "leaver", "mallory")


@pytest.mark.slow
def test_attackers_score_what_the_blank_scores_and_honest_neighbours_keep_theirs(hostile):
    rows = hostile["rows"]
    for student, score in HONEST.items():
        assert rows[student]["status"] == "ok" and rows[student]["score"] == score, rows[student]
    for student in ATTACKERS:  # each ran to its end (status ok) and gained nothing
        assert rows[student]["status"] == "ok", rows[student]
        assert rows[student]["score"] == rows["bob"]["score"] == "0", rows[student]
    assert rows["canary"]["score"] == "5"  # the score channel works: seeing pays off
    assert len(rows) == len(HONEST) + len(ATTACKERS) + 1


@pytest.mark.slow
def test_nothing_secret_reaches_any_output(hostile):
    import base64

    for secret in (HIDDEN_TOKEN, OTHER_TOKEN, VICTIM_TOKEN, ENV_TOKEN):
        forms = {secret, base64.b64encode(secret.encode()).decode()[:16], secret[::-1]}
        for text in hostile["texts"]:
            assert not any(form in text for form in forms), (secret, text[:300])


@pytest.mark.slow
def test_the_installed_package_is_unchanged_and_the_next_run_is_honest(hostile):
    assert hostile["unchanged"]
    (zed,) = hostile["again"]
    assert zed.status == "ok" and zed.score == 5


@pytest.mark.slow
def test_no_process_of_a_kernel_survives_its_grading(hostile):
    assert hostile["survivors"] == []
    kernels = [p for p in psutil.Process().children(recursive=True)
               if "ipykernel_launcher" in " ".join(p.cmdline())]
    sandboxed = [p.pid for p in psutil.process_iter(["uids"])
                 if p.info["uids"] and p.info["uids"].real >= _UID_BASE]  # only sandboxes
    assert kernels == [] and sandboxed == []


@pytest.mark.slow
def test_evidence_bombs_cost_the_grader_nothing_and_score_zero(hostile):
    mallory = hostile["results"]["mallory"]
    assert mallory.status == "ok", mallory.status  # not "grader error"
    messages = {v.check_id: v.message for v in mallory.verdicts}
    assert "nested" in messages["01.build_mlp"] and "twice" in messages["01.param_count"]
    memory = hostile["memory"]
    assert memory.peak - memory.start < 300 * 2**20
