"""Package attributes imported on first use (PEP 562), so that importing a track package stays
cheap: ``__getattr__ = lazy(__name__, {"score": "scoring", ...})``."""
from __future__ import annotations

import importlib
from typing import Any, Callable


def lazy(package: str, names: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that serves ``names`` ({attribute: submodule}) from the package's
    submodules; ``"track"`` serves the bound method of the track object ``TRACK``."""
    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(f"{package}.{names[name]}")
        return getattr(module.TRACK, name) if names[name] == "track" else getattr(module, name)

    return __getattr__
