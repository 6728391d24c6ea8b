"""The student's experience, in a real browser: JupyterLab driven through headless Chromium.

nbval proves that the solution notebooks run in a kernel. These tests prove what a student
sees: they start JupyterLab on loopback (with a random token, from this very Python
environment, in the quick profile, on the real offline data), drive Debian's Chromium through
Playwright, and use the *exercise* notebooks as a student would:

- open each of the seven notebooks and check that its first screen says what it teaches, how
  long it takes and how to check answers (a screenshot of each);
- in ``01_mlp``, run the cells up to the first exercise (Run > Run All Above Selected Cell),
  see training draw one updating progress bar, type a correct answer, run its check and see
  ✅, type a wrong one and see ❌ with its specific hint (a screenshot of each state).

Why Playwright with Debian's Chromium: Playwright drives Chromium over the DevTools protocol
with auto-waiting selectors, so the test waits for what the page shows rather than sleeping;
its own browser download is not reachable from CI, while ``apt-get install chromium`` is, so
``executable_path`` points it at the distribution's browser.

Screenshots go to ``$COURSEKIT_ARTIFACTS/browser`` (default ``tests/artifacts/browser``),
with ``timings.json``. Run these tests alone with ``python -m pytest -m browser``. The
notebooks are copied to a temporary folder first, so the repository is never modified.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from coursekit import checks

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
#: A small laptop screen's browser window.
VIEWPORT = {"width": 1280, "height": 720}
#: Chromium in a container: no sandbox (root, no user namespaces), no GPU, no phoning home.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
#: JupyterLab user settings: no news or update toasts over the page, every cell in the DOM
#: (no windowing, so cells far down can be found), and closing a notebook stops its kernel.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none",
                                               "kernelShutdown": True},
}
SECONDS = 1000  # Playwright timeouts are in milliseconds

EXERCISE_MARK = "def build_mlp(hidden_size, num_layers):"
TRAINING_MARK = "sr_history = softmax_regression.fit("
IMPORTS_MARK = "profile = coursekit.profiles.show()"
#: What TensorFlow writes while it starts, unless coursekit keeps it quiet.
LOG_MARKERS = ("I0000", "W0000", "E0000", "absl::InitializeLog", "cuInit", "oneDNN")
CORRECT = '''def build_mlp(hidden_size, num_layers):
    """An MLP for flattened MNIST images: 784 → num_layers × Dense(hidden_size) → 10."""
    model = keras.Sequential([keras.Input(shape=(784,))])
    for _ in range(num_layers):
        model.add(keras.layers.Dense(hidden_size, activation="relu"))
    model.add(keras.layers.Dense(10, activation="softmax"))
    return model'''
#: A classic mistake: the sigmoid hidden units of the old tutorials.
WRONG = CORRECT.replace('activation="relu"', 'activation="sigmoid"')


# ----------------------------------------------------------------------------
# The server, the browser, the page
# ----------------------------------------------------------------------------

@dataclass
class Lab:
    """A running JupyterLab: where it is, its token and the folder it serves."""

    url: str
    token: str
    root: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(lab_url: str, token: str, path: str, method: str = "GET") -> bytes:
    request = urllib.request.Request(f"{lab_url}{path}", method=method,
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read()


def _stop(proc: subprocess.Popen, lab_url: str, token: str) -> None:
    """Stop the server and every process it started (kernels included)."""
    import psutil  # a dependency of ipykernel

    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    try:  # the clean way: the server shuts its kernels down, then itself
        _request(lab_url, token, "/api/shutdown", method="POST")
        proc.wait(timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        proc.terminate()
    for child in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.terminate()
    _, alive = psutil.wait_procs(family, timeout=5)
    for child in alive:
        child.kill()
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, shared_mirror: Path,
        shots: Path) -> Iterator[Lab]:
    """JupyterLab on 127.0.0.1 with a random token, serving a copy of notebooks/.

    Its log is copied next to the screenshots at the end.
    """
    tmp = tmp_path_factory.mktemp("lab")
    served = tmp / "course"
    shutil.copytree(ROOT / "notebooks", served)
    settings = tmp / "settings"
    for plugin, values in LAB_SETTINGS.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    token = secrets.token_hex(16)
    port = _free_port()
    env = {**os.environ,
           "COURSEKIT_PROFILE": "quick", "COURSEKIT_DATA_DIR": str(shared_mirror),
           "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
           "JUPYTER_CONFIG_DIR": str(tmp / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
           "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}
    log = tmp / "jupyterlab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={served}", "--LabApp.news_url=",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    lab_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {proc.returncode}:\n"
                            f"{log.read_text()[-3000:]}")
            try:
                status = json.loads(_request(lab_url, token, "/api/status"))
                break
            except (OSError, urllib.error.URLError, ValueError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer in 60 s:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
        assert "started" in status
        yield Lab(url=lab_url, token=token, root=served, log=log)
    finally:
        _stop(proc, lab_url, token)
        shutil.copy(log, shots / "jupyterlab.log")


@pytest.fixture(scope="module")
def shots(artifacts: Path) -> Path:
    """The folder of this module's screenshots, emptied first."""
    path = artifacts / "browser"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture(scope="module")
def timings(shots: Path) -> Iterator[dict[str, float]]:
    """Seconds spent in each step, written to timings.json at the end."""
    values: dict[str, float] = {}
    yield values
    (shots / "timings.json").write_text(json.dumps(values, indent=2) + "\n")


@pytest.fixture(scope="module")
def page(lab: Lab, chromium: Path, tmp_path_factory: pytest.TempPathFactory,
         timings: dict[str, float]) -> Iterator[Any]:
    """A Chromium tab (fresh profile) with JupyterLab loaded and its file browser showing."""
    from playwright.sync_api import sync_playwright

    start = time.perf_counter()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS,
            viewport=VIEWPORT)
        try:
            tab = context.pages[0] if context.pages else context.new_page()
            tab.set_default_timeout(60 * SECONDS)
            tab.goto(f"{lab.url}/lab?token={lab.token}")
            tab.locator(".jp-DirListing-item").first.wait_for()
            timings["open JupyterLab"] = round(time.perf_counter() - start, 1)
            yield tab
        finally:
            context.close()


# ----------------------------------------------------------------------------
# Helpers: what a student does
# ----------------------------------------------------------------------------

def _open(page: Any, name: str) -> Any:
    """Double-click a notebook in the file browser; return its panel once its kernel is idle."""
    page.locator(".jp-DirListing-item", has=page.get_by_text(name, exact=True)).dblclick()
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    panel.locator(".jp-MarkdownCell .jp-RenderedMarkdown h1").first.wait_for()
    panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()
    return panel


def _close(page: Any, name: str) -> None:
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=name)
    tab.locator(".lm-TabBar-tabCloseIcon").click()
    tab.wait_for(state="detached")


def _visible_in(element: Any, container: Any) -> bool:
    """Whether ``element`` lies wholly inside ``container`` on screen (no scrolling)."""
    box, frame = element.bounding_box(), container.bounding_box()
    return (box is not None and frame is not None
            and box["y"] >= frame["y"] - 1
            and box["y"] + box["height"] <= frame["y"] + frame["height"] + 1)


def _code_cell(panel: Any, text: str) -> Any:
    return panel.locator(".jp-CodeCell", has_text=text)


def _prompt(cell: Any) -> str:
    return cell.locator(".jp-InputPrompt").inner_text().strip()


def _output_text(cell: Any) -> str:
    outputs = cell.locator(".jp-OutputArea-output")
    return "\n".join(outputs.nth(i).inner_text() for i in range(outputs.count()))


def _type_answer(page: Any, cell: Any, source: str) -> None:
    """Replace the code of ``cell`` by ``source``, as typed (pasted) by a student."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(source)
    typed = cell.locator(".cm-content").inner_text()
    assert typed.strip() == source.strip(), "the editor changed the typed answer"


def _run_answer_and_check(page: Any, exercise: Any, check_cell: Any) -> str:
    """Shift+Enter on the exercise, then on its check cell; return the check's output."""
    before = _prompt(check_cell)
    page.keyboard.press("Shift+Enter")  # runs the exercise, selects the check cell
    page.keyboard.press("Shift+Enter")  # runs the check
    page.wait_for_function(
        """([cell, before]) => {
            const prompt = cell.querySelector('.jp-InputPrompt').textContent;
            return /\\[\\d+\\]/.test(prompt) && prompt !== before;
        }""", arg=[check_cell.element_handle(), before], timeout=60 * SECONDS)
    exercise.evaluate("e => e.scrollIntoView({block: 'start'})")
    return _output_text(check_cell)


def _expected_verdict(source: str) -> str:
    """The verdict the course's check gives ``source``, computed here, outside the browser."""
    import keras

    namespace: dict[str, Any] = {"keras": keras}
    exec(compile(source, "answer", "exec"), namespace)
    return str(checks.get_check("01.build_mlp").run(namespace["build_mlp"]))


def _words(text: str) -> str:
    return " ".join(text.split())


# ----------------------------------------------------------------------------
# The tests
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", NOTEBOOKS)
def test_first_screen_says_what_how_long_and_how_to_check(page, shots, timings, name):
    """Opened from the file browser, a notebook's first screen (1280×720, no scrolling) shows
    its title, what it teaches, the time it takes on a CPU and on Colab, and how to check."""
    start = time.perf_counter()
    panel = _open(page, name)
    first = panel.locator(".jp-MarkdownCell").first.locator(".jp-RenderedMarkdown")
    screen = panel.locator(".jp-WindowedPanel-outer")
    page.screenshot(path=shots / f"first-screen-{name.removesuffix('.ipynb')}.png")

    title = first.locator("h1")
    assert re.match(rf"{name[:2]} · \w", title.inner_text())
    time_line = first.locator("p", has_text="⏱")
    assert time_line.count() == 1
    assert "CPU" in time_line.inner_text() and "Colab" in time_line.inner_text()
    how_to_check = first.locator("p", has_text="check(")
    assert "✅" in how_to_check.inner_text() and "❌" in how_to_check.inner_text()
    topics = first.locator("li")
    assert topics.count() >= 3
    for element in (title, time_line, how_to_check, topics.first):
        assert _visible_in(element, screen), (
            f"{name}: {element.inner_text()[:60]!r} is below the first screen")
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=name)
    assert "jp-mod-dirty" not in tab.get_attribute("class")  # opens unmodified (no ●)
    badge = first.locator("a", has=page.locator("img[alt='Open In Colab']"))
    assert badge.get_attribute("href").endswith(f"/blob/main/notebooks/{name}")
    _close(page, name)
    timings[f"first screen {name}"] = round(time.perf_counter() - start, 1)


def test_student_runs_the_notebook_and_checks_an_exercise(page, shots, timings):
    """01_mlp up to its first exercise: one progress bar while training, then ✅ for a
    correct build_mlp and ❌ with the specific hint for a wrong one."""
    start = time.perf_counter()
    panel = _open(page, "01_mlp.ipynb")
    page.screenshot(path=shots / "01_mlp-1-opened.png")

    exercise = _code_cell(panel, EXERCISE_MARK)
    check_cell = exercise.locator("xpath=following-sibling::div[1]")
    assert 'check("01.build_mlp", build_mlp)' in check_cell.inner_text()
    training = _code_cell(panel, TRAINING_MARK)

    # Select the exercise cell (command mode) and run everything above it, from the menu.
    exercise.locator(".jp-InputPrompt").click()
    page.locator(".lm-MenuBar-item", has_text="Run").click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Above Selected Cell")).click()

    # Training: a widget progress bar appears while the cell runs; photograph it at once
    # (a quick-profile epoch lasts about a second, most of it spent compiling the model).
    training.locator(".widget-hprogress").first.wait_for(timeout=150 * SECONDS)
    running = _prompt(training)
    training.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=shots / "01_mlp-2-training.png")
    timings["training bar shown"] = round(time.perf_counter() - start, 1)

    page.wait_for_function(
        """(mark) => {
            const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
            const cells = [...panel.querySelectorAll('.jp-Cell')];
            const stop = cells.findIndex(c => c.classList.contains('jp-CodeCell')
                                             && c.textContent.includes(mark));
            return stop > 0 && cells.slice(0, stop)
                .filter(c => c.classList.contains('jp-CodeCell'))
                .every(c => /\\[\\d+\\]/.test(c.querySelector('.jp-InputPrompt').textContent));
        }""", arg=EXERCISE_MARK, timeout=150 * SECONDS)
    timings["cells above the exercise run"] = round(time.perf_counter() - start, 1)
    above = panel.locator(".jp-OutputArea-output")
    assert "Traceback (most recent call last)" not in "\n".join(
        above.nth(i).inner_text() for i in range(above.count()))

    # The first code cell imports coursekit, keras and the rest: its output is the profile
    # and the machine, and not a line of TensorFlow's start-up log.
    imports = _code_cell(panel, IMPORTS_MARK)
    imports.evaluate("e => e.scrollIntoView({block: 'start'})")
    imports.screenshot(path=shots / "01_mlp-first-code-cell.png")
    first_output = _output_text(imports)
    assert first_output.startswith("coursekit profile: quick"), first_output
    assert not any(marker in first_output for marker in LOG_MARKERS), first_output
    assert imports.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                           ).count() == 0
    assert _prompt(exercise) == "[ ]:"  # nothing ran past the exercise

    # One bar that updated in place: a widget, a handful of lines, no per-step text lines.
    training.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=shots / "01_mlp-3-trained.png")
    bar_text = _output_text(training)
    assert training.locator(".widget-hprogress").count() >= 1
    assert "1/1" in bar_text  # the epoch bar reached its end (1 epoch in the quick profile)
    assert len(bar_text.splitlines()) <= 8, bar_text
    for fallback in ("HBox(", "Error displaying widget", "Epoch 1/"):
        assert fallback not in bar_text
    assert re.search(r"training took [\d.]+ s", bar_text)
    print(f"training prompt when photographed: {running}")

    # A correct answer: ✅, the exact verdict of the course's check.
    _type_answer(page, exercise, CORRECT)
    verdict = _run_answer_and_check(page, exercise, check_cell)
    page.screenshot(path=shots / "01_mlp-4-correct.png")
    assert verdict.startswith("✅ [01.build_mlp] 2/2")
    assert _words(verdict) == _words(_expected_verdict(CORRECT))

    # A wrong answer: ❌ with the hint that names the mistake.
    _type_answer(page, exercise, WRONG)
    verdict = _run_answer_and_check(page, exercise, check_cell)
    page.screenshot(path=shots / "01_mlp-5-wrong.png")
    assert verdict.startswith("❌ [01.build_mlp] 0/2")
    assert "activation 'sigmoid', expected 'relu'" in verdict
    assert "Hint: look at the activation argument of the hidden Dense layers" in verdict
    assert _words(verdict) == _words(_expected_verdict(WRONG))
    timings["exercise flow"] = round(time.perf_counter() - start, 1)


def test_class_report_reads_at_a_glance(page, shots, tmp_path):
    """The report of `coursekit report`, opened from its file in a new tab of the same
    Chromium: every section is on the page, the plot is drawn, and nothing is fetched from
    anywhere."""
    from test_grading_report import write_class

    from coursekit.instructor import cli

    gradebook = write_class(tmp_path, extra=24)
    page_file = tmp_path / "report.html"
    assert cli.main(["report", str(gradebook), "--out", str(page_file)]) == 0
    requests: list[str] = []
    tab = page.context.new_page()  # the module's Chromium (one Playwright at a time)
    try:
        tab.set_viewport_size(VIEWPORT)
        tab.on("request", lambda r: requests.append(r.url))
        tab.goto(page_file.as_uri())
        for heading in ("Score distribution per notebook", "Pass rate per check",
                        "Most frequent failure hints", "Students missing a notebook",
                        "Statuses that need a human"):
            assert tab.get_by_role("heading", name=heading).is_visible(), heading
        plot = tab.locator("#scores img")
        assert plot.evaluate("img => img.complete && img.naturalWidth > 300")
        human = tab.locator("#human tbody tr")
        assert human.count() == 3  # cat's timeout, dan's file, s07's memory limit
        assert "timeout" in tab.locator("#human").inner_text()
        tab.screenshot(path=shots / "class-report.png", full_page=True)
    finally:
        tab.close()
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
