"""coursekit: the support package of a Jupyter course on deep learning with Keras 3.

The notebooks import it for data loading (:mod:`coursekit.data`), run profiles
(:mod:`coursekit.profiles`), model builders (:mod:`coursekit.models`), a
training helper (:mod:`coursekit.training`) and plots (:mod:`coursekit.plots`).
Importing ``coursekit`` alone is cheap: TensorFlow loads only when a module
that needs it is imported, and then without its start-up log (:mod:`coursekit._quiet`).
"""

__version__ = "0.1.0"

from . import _quiet, profiles  # both light (no TensorFlow)

_quiet.install()  # before anything imports TensorFlow: no start-up log in the notebooks

__all__ = ["__version__", "profiles"]
