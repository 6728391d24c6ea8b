"""Imports every notebook's checks so that they register themselves."""

import importlib
import pkgutil

from . import __path__ as _here

for _module in pkgutil.iter_modules(_here):
    if _module.name.startswith("nb"):
        importlib.import_module(f"{__package__}.{_module.name}")
