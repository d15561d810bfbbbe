"""The builder's marker options: which flat marker the recording shows on the patch area.

- ``keycolor``: the whole patch area is one solid colour (``key_rgb``).
- ``aruco``: one ArUco marker (``aruco_dict``, ``aruco_id``) printed on the patch area.
- ``checker``: a checkerboard of ``checker_squares`` = (columns, rows) squares, one count
  odd and one even so that the board has no 180-degree symmetry; its top-left square is black.

For aruco and checker, ``corners`` declares where the marker's own outer corners (TL, TR,
BR, BL of the marker as drawn) lie on the patch area, as fractions of the patch width and
height; the rest of the patch area is white (the quiet zone detectors need). The quad of the
whole patch is extrapolated from the marker through the homography this fixes, so the
marker may cover only part of the patch, sit rotated on it, or be stretched.
``marker_texture`` draws the patch-area texture that matches the options: render it in
CARLA (or anywhere) and build the bundle with the same options.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass, replace

import numpy as np

from .fit import quad_problem
from .options import MarkerOptionError

KINDS = ("keycolor", "aruco", "checker")
DEFAULT_CORNERS = {  # marker TL, TR, BR, BL as fractions of the patch area
    "aruco": ((0.06, 0.10), (0.94, 0.10), (0.94, 0.90), (0.06, 0.90)),
    "checker": ((0.05, 0.10), (0.95, 0.10), (0.95, 0.90), (0.05, 0.90)),
}


@dataclass(frozen=True)
class MarkerSpec:
    kind: str = "keycolor"
    key_rgb: tuple[int, int, int] = (255, 0, 255)
    aruco_dict: str = "DICT_4X4_50"
    aruco_id: int = 0
    checker_squares: tuple[int, int] = (9, 4)
    corners: tuple[tuple[float, float], ...] = ()  # empty: the kind's default layout

    def __post_init__(self):
        if not self.corners and self.kind in DEFAULT_CORNERS:
            object.__setattr__(self, "corners", DEFAULT_CORNERS[self.kind])

    def describe(self) -> dict:
        d = {"kind": self.kind}
        if self.kind == "keycolor":
            d["key_rgb"] = list(self.key_rgb)
        if self.kind == "aruco":
            d.update(aruco_dict=self.aruco_dict, aruco_id=self.aruco_id)
        if self.kind == "checker":
            d["checker_squares"] = list(self.checker_squares)
        if self.corners:
            d["corners"] = [list(c) for c in self.corners]
        return d


def _ints(text: str, sep: str, n: int, what: str, example: str) -> tuple[int, ...]:
    try:
        vals = tuple(int(v) for v in str(text).lower().split(sep))
    except ValueError:
        vals = ()
    if len(vals) != n:
        raise MarkerOptionError(f"{what} takes {n} integers separated by '{sep}' (e.g. {example}), not {text!r}")
    return vals


def parse_corners(text) -> tuple[tuple[float, float], ...]:
    """'x,y,x,y,x,y,x,y' (TL, TR, BR, BL of the marker on the patch, fractions 0..1)."""
    try:
        vals = [float(v) for v in text.split(",")] if isinstance(text, str) else list(np.ravel(text).astype(float))
    except (ValueError, TypeError):
        vals = []
    if len(vals) != 8 or not all(np.isfinite(vals)):
        raise MarkerOptionError(
            "--marker-corners takes 8 numbers TLx,TLy,TRx,TRy,BRx,BRy,BLx,BLy (fractions of the patch area), "
            f"not {text!r}")
    c = np.array(vals).reshape(4, 2)
    if (c < 0).any() or (c > 1).any():
        raise MarkerOptionError(
            f"--marker-corners {text!r}: every value must lie in 0..1 (fractions of the patch area)")
    problem = quad_problem(c * [2790, 1260], min_area=0.01 * 2790 * 1260, what="the declared marker")
    if problem:
        raise MarkerOptionError(f"--marker-corners {text!r}: {problem} (give TL, TR, BR, BL clockwise on the "
                                "patch, covering at least 1% of it)")
    return tuple((float(x), float(y)) for x, y in c)


def marker_spec(
    kind: str = "keycolor", *, key_colour=None, aruco_dict=None, aruco_id=None, checker_squares=None,
    marker_corners=None,
) -> MarkerSpec:
    """Validate the options of one marker kind (strings as on the command line, or values)."""
    if kind not in KINDS:
        raise MarkerOptionError(f"--marker must be one of {', '.join(KINDS)}, not {kind!r}")
    given = {"--key-colour": key_colour, "--aruco-dict": aruco_dict, "--aruco-id": aruco_id,
             "--checker-squares": checker_squares, "--marker-corners": marker_corners}
    allowed = {"keycolor": {"--key-colour"}, "aruco": {"--aruco-dict", "--aruco-id", "--marker-corners"},
               "checker": {"--checker-squares", "--marker-corners"}}[kind]
    wrong = [k for k, v in given.items() if v is not None and k not in allowed]
    if wrong:
        verb = "does" if len(wrong) == 1 else "do"
        raise MarkerOptionError(f"{', '.join(wrong)} {verb} not apply to --marker {kind} "
                                f"(its options: {', '.join(sorted(allowed))})")
    spec = MarkerSpec(kind=kind)
    if kind == "keycolor" and key_colour is not None:
        rgb = (_ints(key_colour, ",", 3, "--key-colour", "255,0,255") if isinstance(key_colour, str)
               else tuple(key_colour))
        if len(rgb) != 3 or not all(0 <= int(v) <= 255 for v in rgb):
            raise MarkerOptionError(f"--key-colour needs three values 0..255 (R,G,B), not {key_colour!r}")
        spec = MarkerSpec(kind=kind, key_rgb=tuple(int(v) for v in rgb))
    if kind == "aruco":
        from .options import aruco_dictionary

        name = str(aruco_dict or spec.aruco_dict).upper()
        size = aruco_dictionary(name).bytesList.shape[0]
        try:
            mid = int(aruco_id if aruco_id is not None else 0)
        except ValueError:
            raise MarkerOptionError(f"--aruco-id must be an integer, not {aruco_id!r}") from None
        if not 0 <= mid < size:
            raise MarkerOptionError(f"--aruco-id {mid} is not in {name}, which holds ids 0..{size - 1}")
        spec = MarkerSpec(kind=kind, aruco_dict=name, aruco_id=mid)
    if kind == "checker":
        sq = checker_squares or spec.checker_squares
        cols, rows = _ints(sq, "x", 2, "--checker-squares", "9x4") if isinstance(sq, str) else tuple(sq)
        if cols < 3 or rows < 3:
            raise MarkerOptionError(f"--checker-squares {cols}x{rows}: the board needs at least 3 squares each way")
        if (cols + rows) % 2 == 0:
            raise MarkerOptionError(
                f"--checker-squares {cols}x{rows}: a board whose counts are both even or both odd looks the same "
                "turned by 180 degrees, so its corner order is ambiguous; make one count odd and one even, e.g. 9x4")
        spec = MarkerSpec(kind=kind, checker_squares=(cols, rows))
    if kind in DEFAULT_CORNERS:
        corners = parse_corners(marker_corners) if marker_corners is not None else DEFAULT_CORNERS[kind]
        spec = replace(spec, corners=corners)
    return spec


def add_marker_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("marker", "the flat marker the recordings show on the patch area")
    g.add_argument("--marker", default="keycolor", choices=KINDS, help="marker kind (default keycolor)")
    g.add_argument("--key-colour", metavar="R,G,B", help="keycolor: marker colour R,G,B (default 255,0,255 magenta)")
    g.add_argument("--aruco-dict", metavar="NAME",
                   help="aruco: an OpenCV predefined dictionary (default DICT_4X4_50)")
    g.add_argument("--aruco-id", metavar="N", help="aruco: the marker id (default 0)")
    g.add_argument("--checker-squares", metavar="CxR",
                   help="checker: COLUMNSxROWS squares, one odd one even (default 9x4)")
    g.add_argument("--marker-corners", metavar="X,Y,...",
                   help="aruco/checker: TLx,TLy,TRx,TRy,BRx,BRy,BLx,BLy of the marker on "
                   "the patch area, fractions 0..1 (defaults: see evaluators/driving/README.md)")


def spec_from_args(args: argparse.Namespace) -> MarkerSpec:
    return marker_spec(args.marker, key_colour=args.key_colour, aruco_dict=args.aruco_dict,
                       aruco_id=args.aruco_id, checker_squares=args.checker_squares,
                       marker_corners=args.marker_corners)


def make_finder(spec: MarkerSpec):
    """``find(frame_bgr, prev_quad) -> MarkerFit | Miss`` for the spec's marker kind."""
    if spec.kind == "keycolor":
        from .keycolor import fit_marker

        return lambda frame, prev=None: fit_marker(frame, spec.key_rgb, prev=prev)
    if spec.kind == "aruco":
        from .aruco import ArucoFinder

        return ArucoFinder(spec)
    from .checker import CheckerFinder

    return CheckerFinder(spec)


def marker_texture(spec: MarkerSpec) -> np.ndarray:
    """The 2790x1260 BGR patch-area texture to render in the recordings."""
    from .texture import draw_texture

    return draw_texture(spec)
