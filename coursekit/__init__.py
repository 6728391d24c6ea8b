"""coursekit: the support package of a Jupyter course on deep learning with Keras 3.

The notebooks import it for data loading (:mod:`coursekit.data`), run profiles
(:mod:`coursekit.profiles`), model builders (:mod:`coursekit.models`), a
training helper (:mod:`coursekit.training`) and plots (:mod:`coursekit.plots`).
Importing ``coursekit`` alone is cheap: TensorFlow loads only when a module
that needs it is imported.
"""

__version__ = "0.1.0"

from . import profiles  # light (no TensorFlow); notebooks call coursekit.profiles.show()

__all__ = ["__version__", "profiles"]
