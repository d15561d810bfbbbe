"""build-driving-bundle rules: marker options and their messages, the solid marker's corner
order cues, same-hued objects next to a key-colour marker, occluders in front of a printed
marker, recordings that do not fit together."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from test_builder_markers import (  # same folder (pytest's rootdir imports)
    POSES,
    SHADE,
    pose_quad,
)

from authoring.driving.builder import SceneSource, build_bundle
from authoring.driving.markers.spec import (
    MarkerOptionError,
    marker_spec,
    marker_texture,
)
from authoring.driving.scenegen.road import draw_road, random_look
from evaluators.driving.bundle import load_bundle
from evaluators.driving.render import build_pyramid, render_frame


def _run(*args):
    return subprocess.run([sys.executable, "-m", "authoring", *map(str, args)], capture_output=True, text=True)

@pytest.mark.parametrize("kwargs, message", [
    (dict(kind="aruco", aruco_dict="DICT_9X9_1"), "is not an OpenCV ArUco dictionary; choose one of DICT_4X4_100"),
    (dict(kind="aruco", aruco_id="60"), "--aruco-id 60 is not in DICT_4X4_50, which holds ids 0..49"),
    (dict(kind="aruco", aruco_id="x"), "--aruco-id must be an integer"),
    (dict(kind="checker", checker_squares="8x4"), "looks the same turned by 180 degrees"),
    (dict(kind="checker", checker_squares="9by4"), "--checker-squares takes 2 integers separated by 'x'"),
    (dict(kind="checker", marker_corners="0,0,1,0,1,1"), "--marker-corners takes 8 numbers"),
    (dict(kind="aruco", marker_corners="0,1,1,1,1,0,0,0"), "the declared marker runs anticlockwise"),
    (dict(kind="aruco", marker_corners="0,0,1.5,0,1,1,0,1"), "every value must lie in 0..1"),
    (dict(kind="aruco", checker_squares="9x4"), "--checker-squares does not apply to --marker aruco"),
    (dict(kind="keycolor", aruco_id="3"), "--aruco-id does not apply to --marker keycolor"),
    (dict(kind="keycolor", key_colour="255,0"), "--key-colour takes 3 integers"),
    (dict(kind="qr"), "--marker must be one of keycolor, aruco, checker"),
])
def test_bad_marker_options_say_what_is_wrong(kwargs, message):
    with pytest.raises(MarkerOptionError, match=message.replace("(", r"\(").replace(".", r"\.")):
        marker_spec(**kwargs)


def test_cli_refuses_a_bad_option_with_its_message(tmp_path):
    r = _run("build-driving-bundle", "--out", tmp_path / "b", "--scene", f"t:truck:{tmp_path}",
             "--marker", "checker", "--checker-squares", "6x4")
    assert r.returncode == 2
    assert "--checker-squares 6x4" in r.stderr and "make one count odd and one even" in r.stderr
    assert not (tmp_path / "b").exists()


def test_occluder_in_front_of_a_printed_marker(tmp_path):
    """A small object over the checkerboard's quiet zone: the quad still fits and the object
    becomes the frame's occluder; the clean frame has none."""
    import cv2

    from authoring.driving.markers.fit import apply_h, homography
    from authoring.driving.markers.spec import make_finder
    from authoring.driving.markers.texture import PATCH_CORNERS

    spec = marker_spec("checker")
    texture = marker_texture(spec)
    q = pose_quad(*POSES[2])
    img = render_frame(draw_road(random_look(np.random.default_rng(2)), 1.0),
                       build_pyramid(texture, np.ones(texture.shape[:2], bool)), q, SHADE)
    find = make_finder(spec)
    assert find(img).occluder is None
    centre = apply_h(homography(PATCH_CORNERS, q), np.array([[0.025 * 2790, 0.5 * 1260]]))[0]
    blob = img.copy()
    cv2.circle(blob, tuple(int(v) for v in centre - 0.5), 3, (30, 60, 90), -1)
    fit = find(blob)
    assert np.linalg.norm(fit.quad - q, axis=1).max() < 2.0
    assert fit.occluder is not None
    ys, xs = np.nonzero(fit.occluder)
    assert np.hypot(xs + 0.5 - centre[0], ys + 0.5 - centre[1]).max() < 7  # only around the object
    assert fit.occluder[int(centre[1]), int(centre[0])] == 255


def test_keycolor_order_from_the_previous_frame_when_the_sides_look_alike(tmp_path):
    """Seen 68-72 degrees off-axis the 2790:1260 patch looks almost square, so a solid colour
    cannot tell its top edge: the previous kept frame decides; a recording that starts with
    such a frame skips it with the reason."""
    import cv2

    spec = marker_spec("keycolor")
    texture = marker_texture(spec)
    pyr = build_pyramid(texture, np.ones(texture.shape[:2], bool))
    look = random_look(np.random.default_rng(4))
    poses = [(20, 64, 0, 6.0), (20, 68, 0, 6.0), (20, 72, 0, 6.0)]  # turning away
    rec = tmp_path / "rec"
    rec.mkdir()
    gt = np.array([pose_quad(*p) for p in poses])
    for i, q in enumerate(gt):
        cv2.imwrite(str(rec / f"{i}.png"), render_frame(draw_road(look, 0.0), pyr, q, 1.0))
    out = build_bundle(tmp_path / "b", [SceneSource("s", "truck", rec)], marker=spec, log=lambda m: None)
    (scene,) = load_bundle(out).scenes
    assert scene.quads.shape == gt.shape
    assert np.linalg.norm(scene.quads - gt, axis=2).max() < 2.0
    # the ambiguous frames alone
    solo = tmp_path / "solo"
    solo.mkdir()
    (rec / "1.png").rename(solo / "1.png")
    (rec / "2.png").rename(solo / "2.png")
    from evaluators.common.errors import BundleError

    with pytest.raises(BundleError, match="too alike"):
        build_bundle(tmp_path / "b2", [SceneSource("s", "truck", solo)], marker=spec, log=lambda m: None)


def test_solid_marker_order_cues_must_agree():
    from authoring.driving.markers.fit import Miss, order_solid

    wide = np.array([[100.0, 50.0], [300.0, 60.0], [295.0, 150.0], [105.0, 140.0]])  # TL, TR, BR, BL
    for k in range(4):  # whichever corner the outline starts at
        np.testing.assert_array_equal(order_solid(np.roll(wide, k, axis=0), None), wide)
    np.testing.assert_array_equal(order_solid(wide, wide + 2.0), wide)  # both cues agree
    flipped = np.roll(wide, 2, axis=0)  # the previous frame had it upside down
    miss = order_solid(wide, flipped + 1.0)
    assert isinstance(miss, Miss) and "disagree" in miss.reason


def test_keycolor_with_a_pink_object_nearby(tmp_path):
    """An object of nearly the key's hue (306 against 300 degrees): apart from the marker it
    is dropped and the quad is right; touching the marker's side the frame is a miss."""
    import cv2

    from authoring.driving.markers.fit import Miss
    from authoring.driving.markers.spec import make_finder

    spec = marker_spec("keycolor")
    texture = marker_texture(spec)
    q = pose_quad(0, 0, 0, 8)  # upright, x 255..411, y 151..222
    frame = render_frame(draw_road(random_look(np.random.default_rng(1)), 0.0),
                         build_pyramid(texture, np.ones(texture.shape[:2], bool)), q, 0.8)
    find = make_finder(spec)
    apart, touching = frame.copy(), frame.copy()
    cv2.rectangle(apart, (230, 60), (244, 200), (170, 77, 162), -1)  # BGR: 10 px left of the marker
    cv2.rectangle(touching, (280, 90), (294, 151), (170, 77, 162), -1)  # standing on its top side
    fit = find(apart)
    assert np.linalg.norm(fit.quad - q, axis=1).max() < 2.0
    miss = find(touching)
    assert isinstance(miss, Miss) and "not a quadrilateral" in miss.reason


def test_clean_recording_of_another_size_is_refused(tmp_path):
    import cv2

    from evaluators.common.errors import BundleError

    for name, size in (("marker", 120), ("clean", 80)):
        (tmp_path / name).mkdir()
        cv2.imwrite(str(tmp_path / name / "0.png"), np.full((size, size, 3), 90, np.uint8))
    with pytest.raises(BundleError, match="clean recording's frame is 80x80, the marker recording's 120x120"):
        build_bundle(tmp_path / "b", [SceneSource("s", "truck", tmp_path / "marker", tmp_path / "clean")],
                     marker=marker_spec("aruco"), log=lambda m: None)
