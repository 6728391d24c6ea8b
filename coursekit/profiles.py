"""Run profiles: ``full`` (the real course), ``quick`` (CI and slow laptops), ``grade``.

The environment variable ``COURSEKIT_PROFILE`` picks the profile; the default
is ``full``. Notebooks ask the active profile for their sample counts and
epochs, so one notebook serves both a real run and a smoke run, and they print
it near the top so that a quick run is never mistaken for a real one.

``grade`` is the grader's own profile (``coursekit grade`` sets it in every
kernel; students and nbval use ``quick`` or ``full``): the quick profile's
epochs and choices, on a quarter of its samples (:data:`GRADE_DIVISOR`) but
never fewer than 300 (:data:`GRADE_FLOOR`). The checks hold a submission to
thresholds calibrated for each profile.

Example
-------
>>> from coursekit.profiles import Profile
>>> p = Profile("quick")  # in a notebook: p = coursekit.profiles.show()
>>> p.epochs(20), p.samples(60_000)
(1, 2000)
>>> p.pick(full="big", quick="small")
'small'
>>> g = Profile("grade")
>>> g.is_quick, g.epochs(10, quick=3), g.samples(60_000), g.samples(5_000, quick=500)
(True, 3, 500, 300)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TypeVar

from ._validation import check_int
from .errors import InvalidParameterError

__all__ = ["GRADE_DIVISOR", "GRADE_FLOOR", "GRADE_NOTEBOOKS", "PROFILES", "PROFILE_ENV",
           "Profile", "current", "for_notebook", "machine", "show"]

PROFILE_ENV = "COURSEKIT_PROFILE"
PROFILES = ("full", "quick", "grade")
#: The grade profile takes this fraction (1 / GRADE_DIVISOR) of the quick profile's samples,
GRADE_DIVISOR = 4
#: ... but never fewer than GRADE_FLOOR (nor more than quick): below about 300 images some
#: experiments (notebook 06's time budget) no longer learn anything to check.
GRADE_FLOOR = 300
#: The notebooks whose checks are calibrated for the grade profile (measured over seeds);
#: the grader runs the others in ``quick`` (:func:`for_notebook`). At a quarter of the
#: images, notebook 04's best pooling CNN reached 19.3-26.6%, 05's L2 sweep 14-37%
#: (untrained: 10-11%) and 07's augmented CIFAR-10 CNN 20.1-25.4% (chance: 10%): too
#: close to an untrained model to tell them apart.
GRADE_NOTEBOOKS = frozenset({"01_mlp", "02_misclassified", "03_cnn", "06_rnn"})

T = TypeVar("T")

_DESCRIPTIONS = {
    "full": "the real course: all data, all epochs",
    "quick": "a smoke run: few samples and epochs; accuracies and timings are NOT representative",
    "grade": "the grader's run: a quarter of the quick profile's samples (at least 300); "
             "NOT representative",
}


@dataclass(frozen=True)
class Profile:
    """The active run profile.

    Attributes
    ----------
    name : {"full", "quick", "grade"}
    quick_samples : int
        Default number of training samples in the quick profile.
    quick_epochs : int
        Default number of epochs in the quick profile.
    """

    name: str
    quick_samples: int = 2_000
    quick_epochs: int = 1

    @property
    def is_quick(self) -> bool:
        """True in the smoke-run profiles, ``quick`` and the grader's ``grade``."""
        return self.name in ("quick", "grade")

    def pick(self, *, full: T, quick: T) -> T:
        """Return ``full`` or ``quick`` according to the profile."""
        return quick if self.is_quick else full

    def epochs(self, full: int, quick: int | None = None) -> int:
        """Epochs to train: ``full``, or ``quick`` (default 1) in the quick profile."""
        check_int("full", full, min_value=1)
        if quick is not None:
            check_int("quick", quick, min_value=1)
        return (quick or self.quick_epochs) if self.is_quick else full

    def samples(self, full: int | None, quick: int | None = None) -> int | None:
        """Samples to use: ``full`` (None means all), or at most ``quick`` (default 2,000);
        in the grade profile, ``quick // GRADE_DIVISOR`` but at least ``GRADE_FLOOR`` (and
        never more than the quick profile's)."""
        if full is not None:
            check_int("full", full, min_value=1)
        if quick is not None:
            check_int("quick", quick, min_value=1)
        if not self.is_quick:
            return full
        n = quick or self.quick_samples
        if self.name == "grade":
            n = max(n // GRADE_DIVISOR, min(n, GRADE_FLOOR))
        return n if full is None else min(full, n)

    def describe(self) -> str:
        """One line for the top of a notebook."""
        return f"coursekit profile: {self.name} ({_DESCRIPTIONS[self.name]})"


def current() -> Profile:
    """The profile named by ``COURSEKIT_PROFILE`` (read at each call), default ``full``."""
    name = os.environ.get(PROFILE_ENV, "full").strip().lower() or "full"
    if name not in PROFILES:
        raise InvalidParameterError(PROFILE_ENV, name, "'full' or 'quick' ('grade': the "
                                    "grader's own)")
    return Profile(name)


def for_notebook(notebook: str, profile: str) -> str:
    """The profile the grader runs ``notebook`` in when asked for ``profile``: ``grade``
    only where the notebook's checks are calibrated for it (:data:`GRADE_NOTEBOOKS`),
    else ``quick``.

    >>> for_notebook("01_mlp", "grade"), for_notebook("05_regularization", "grade")
    ('grade', 'quick')
    >>> for_notebook("05_regularization", "full")
    'full'
    """
    if profile == "grade" and notebook not in GRADE_NOTEBOOKS:
        return "quick"
    return profile


def machine() -> str:
    """One line naming this machine: CPU, cores, memory, accelerator and library versions.

    Notebooks print it so that committed outputs say which machine produced them, and
    the benchmarks (``coursekit bench``) print it above their tables. GPUs are counted
    only once TensorFlow is imported (importing it here would cost seconds).
    """
    import platform
    import sys
    from importlib.metadata import PackageNotFoundError, version

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    try:
        memory = f", {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    except (ValueError, OSError, AttributeError):  # not on this system
        memory = ""
    accel = "no GPU"
    if "tensorflow" in sys.modules:
        gpus = sys.modules["tensorflow"].config.list_physical_devices("GPU")
        accel = f"{len(gpus)} GPU" if gpus else "no GPU"

    def ver(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return (f"{cpu}, {os.cpu_count()} cores{memory}, {accel}; Python {platform.python_version()}, "
            f"TensorFlow {ver('tensorflow')}, Keras {ver('keras')}")


def show() -> Profile:
    """Print the active profile and the machine (notebooks call this near the top)."""
    profile = current()
    print(profile.describe())
    print(f"machine: {machine()}")
    return profile
