"""The vocabulary of the builder's marker options, below every finder: the error a bad option
raises and the OpenCV ArUco dictionaries by name."""
from __future__ import annotations

from evaluators.common.errors import BundleError


class MarkerOptionError(BundleError):
    """A marker option is missing, malformed or does not fit the chosen marker kind."""


def dictionary_names() -> list[str]:
    import cv2

    return sorted(n for n in dir(cv2.aruco) if n.startswith("DICT_") and n == n.upper())


def aruco_dictionary(name: str):
    import cv2

    value = getattr(cv2.aruco, name, None) if name.startswith("DICT_") else None
    if not isinstance(value, int):
        raise MarkerOptionError(f"--aruco-dict {name!r} is not an OpenCV ArUco dictionary; choose one of "
                                f"{', '.join(dictionary_names())}")
    return cv2.aruco.getPredefinedDictionary(value)
