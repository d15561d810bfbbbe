"""Marker finders of the driving bundle builder: recover the patch quad in recorded frames
from a flat key-colour marker (``keycolor``) or a printed ArUco / checkerboard marker
(``aruco``, ``checker``, sharing ``printed``). ``spec`` reads the builder's marker options.
Layered without import cycles (``.importlinter``).
"""
