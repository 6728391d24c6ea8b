"""coursekit: the support package of a Jupyter course on deep learning with Keras 3.

The notebooks import it for data loading (:mod:`coursekit.data`), run profiles
(:mod:`coursekit.profiles`), model builders (:mod:`coursekit.models`), a
training helper (:mod:`coursekit.training`) and plots (:mod:`coursekit.plots`).
Importing ``coursekit`` alone is cheap: TensorFlow loads only when a module
that needs it is imported.
"""

import os as _os

__version__ = "0.1.0"

# Keep TensorFlow's C++ start-up log (oneDNN and CUDA notices) out of students'
# notebooks; it must be set before TensorFlow loads, so notebooks import coursekit
# first. A value the user set wins.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from . import profiles  # light (no TensorFlow); notebooks call coursekit.profiles.show()

__all__ = ["__version__", "profiles"]
