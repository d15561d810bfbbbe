"""build-driving-bundle with key-colour, ArUco and checkerboard markers on surfaces at 30-60
degrees of in-plane rotation and strong perspective: recordings rendered here with the
project's renderer at known quads; corner error under 2 px, corner order TL, TR, BR, BL of
the patch, frames without a visible marker skipped and reported, a marker geometry that does
not match the print refused, the CLI path. Options and other rules: test_builder_marker_rules.py."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from authoring.driving.builder import SceneSource, build_bundle
from authoring.driving.markers.spec import marker_spec, marker_texture
from authoring.driving.scenegen.road import draw_road, random_look
from evaluators.driving.bundle import load_bundle
from evaluators.driving.render import build_pyramid, render_frame

# (roll deg, yaw deg, pitch deg, distance m): rotated 30-60 degrees, seen from 40-60 degrees off-axis
POSES = [(30, 50, 5, 4.8), (45, -55, -15, 5.0), (60, 40, 20, 4.5), (-35, 60, 0, 4.0),
         (50, -45, 10, 6.0), (-60, 50, -10, 5.0)]
OCCLUDED, OUT_OF_VIEW = 6, 7  # recording frames without a usable marker
SHADE = 0.8


def pose_quad(roll, yaw, pitch, z, width=2.4, focal=520.0, centre=(320.0, 180.0)) -> np.ndarray:
    """Image corners (TL, TR, BR, BL of the patch) of a 2790:1260 board posed in 3-D."""
    h = width * 1260 / 2790
    pts = np.array([[-width / 2, -h / 2], [width / 2, -h / 2], [width / 2, h / 2], [-width / 2, h / 2]])
    r, a, b = np.radians([roll, yaw, pitch])
    pts = pts @ np.array([[np.cos(r), -np.sin(r)], [np.sin(r), np.cos(r)]]).T
    ry = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    rx = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])
    p = np.c_[pts, np.zeros(4)] @ (rx @ ry).T + [0.2, 0.1, z]
    return np.c_[centre[0] + focal * p[:, 0] / p[:, 2], centre[1] + focal * p[:, 1] / p[:, 2]]


def _record(root, spec, look_seed=5):
    """Marker and clean recordings: the POSES, then an occluded and an out-of-view frame."""
    import cv2

    texture = marker_texture(spec)
    pyr = build_pyramid(texture, np.ones(texture.shape[:2], bool))
    look = random_look(np.random.default_rng(look_seed))
    marker, clean = root / "marker", root / "clean"
    marker.mkdir(parents=True)
    clean.mkdir()
    quads = [pose_quad(*p) for p in POSES] + [pose_quad(*POSES[0]), pose_quad(*POSES[1]) + [330, 0]]
    for i, q in enumerate(quads):
        bg = draw_road(look, 0.4 * i)
        img = render_frame(bg, pyr, q, SHADE)
        if i == OCCLUDED:  # a van in front of the whole marker
            x0, y0 = np.floor(q.min(0)).astype(int) - 3
            x1, y1 = np.ceil(q.max(0)).astype(int) + 3
            cv2.rectangle(img, (int(x0), int(y0)), (int(x1), int(y1)), (70, 90, 60), -1)
        cv2.imwrite(str(marker / f"{i:04d}.png"), img)
        cv2.imwrite(str(clean / f"{i:04d}.png"), bg)
    return marker, clean, np.array(quads[: len(POSES)])


@pytest.fixture(scope="module", params=["keycolor", "aruco", "checker"])
def built(request, tmp_path_factory):
    spec = marker_spec(request.param)
    root = tmp_path_factory.mktemp(request.param)
    marker, clean, gt = _record(root, spec)
    logs: list[str] = []
    out = build_bundle(root / "bundle", [SceneSource("s", "truck", marker, clean)], marker=spec, log=logs.append)
    return spec, out, gt, logs


def test_quads_within_two_pixels_in_patch_corner_order(built):
    spec, out, gt, _ = built
    (scene,) = load_bundle(out).scenes
    assert len(scene) == len(POSES)
    err = np.linalg.norm(scene.quads - gt, axis=2)  # corner k against the patch's corner k
    assert err.max() < 2.0, (spec.kind, err.round(2))
    np.testing.assert_allclose([scene.shading_at(i) for i in range(len(scene))], SHADE, atol=0.03)
    assert all(scene.occluder_at(i) is None for i in range(len(scene)))


def test_frames_without_marker_are_skipped_and_reported(built):
    spec, out, _, logs = built
    report = json.loads((out / "scenes" / "s" / "build_report.json").read_text())
    assert report["marker"]["kind"] == spec.kind
    assert (report["recording_frames"], report["kept"], report["skipped"]) == (len(POSES) + 2, len(POSES), 2)
    skipped = {r["source"]: r["reason"] for r in report["frames"] if r["status"] == "skipped"}
    assert set(skipped) == {OCCLUDED, OUT_OF_VIEW}
    assert all(skipped.values())
    kept = [r["frame"] for r in report["frames"] if r["status"] == "kept"]
    assert kept == list(range(len(POSES)))
    assert any("skipped 2 of 8" in m for m in logs), logs
    manifest = json.loads((out / "manifest.json").read_text())
    assert "scenes/s/build_report.json" in manifest["files"]  # listed with its sha256


def _run(*args):
    return subprocess.run([sys.executable, "-m", "authoring", *map(str, args)], capture_output=True, text=True)


def test_cli_aruco_rotated_on_part_of_the_patch(tmp_path):
    """A marker turned by 90 degrees on the patch and covering only its right 55%: the
    declared corners carry the patch's own corner order through, and the far corners are
    extrapolated (the error grows as the marker covers less of the patch)."""
    import cv2

    opts = ["--marker", "aruco", "--aruco-dict", "DICT_5X5_100", "--aruco-id", "7",
            "--marker-corners", "0.9,0.1,0.9,0.9,0.35,0.9,0.35,0.1"]
    tex_png = tmp_path / "marker.png"
    r = _run("driving-marker-texture", "--out", tex_png, *opts)
    assert r.returncode == 0, r.stderr
    texture = cv2.imread(str(tex_png))
    assert texture.shape == (1260, 2790, 3)
    assert texture[:, : int(0.34 * 2790)].min() == 255  # the left part is all quiet zone
    assert texture[:, int(0.36 * 2790):].min() == 0
    pyr = build_pyramid(texture, np.ones(texture.shape[:2], bool))
    look = random_look(np.random.default_rng(9))
    rec = tmp_path / "rec"
    rec.mkdir()
    gt = np.array([pose_quad(*p) for p in POSES[:4]])
    for i, q in enumerate(gt):
        cv2.imwrite(str(rec / f"{i:03d}.png"), render_frame(draw_road(look, 0.3 * i), pyr, q, 0.9))
    out = tmp_path / "bundle"
    r = _run("build-driving-bundle", "--out", out, "--scene", f"t:truck:{rec}", *opts)
    assert r.returncode == 0, r.stderr
    (scene,) = load_bundle(out).scenes
    err = np.linalg.norm(scene.quads - gt, axis=2)
    assert err.max() < 2.0, err.round(2)
    # no clean recording: the marker is painted out, its black and white pattern gone
    inside = np.zeros((360, 640), np.uint8)
    cv2.fillPoly(inside, [np.round(gt[0] - 0.5).astype(np.int32)], 1)
    inside = cv2.erode(inside, np.ones((5, 5), np.uint8)) > 0
    recorded = cv2.cvtColor(cv2.imread(str(rec / "000.png")), cv2.COLOR_BGR2GRAY)[inside]
    painted = cv2.cvtColor(scene.frame(0), cv2.COLOR_BGR2GRAY)[inside]
    assert recorded.min() < 40 and painted.min() > 60 and painted.std() < 0.5 * recorded.std()


def test_marker_geometry_that_does_not_match_the_print_is_refused(tmp_path):
    """Declared corners that put the patch edge beyond the printed texture: every frame is
    refused (the quiet zone along the edge is not white), none gets a wrong quad."""
    from evaluators.common.errors import BundleError

    marker, clean, _ = _record(tmp_path / "rec", marker_spec("aruco"))
    wrong = marker_spec("aruco", marker_corners="0.12,0.1,0.88,0.1,0.88,0.9,0.12,0.9")
    logs: list[str] = []
    with pytest.raises(BundleError, match="not found in any frame.*quiet zone.*--marker-corners"):
        build_bundle(tmp_path / "b", [SceneSource("s", "truck", marker, clean)], marker=wrong, log=logs.append)
    assert any("skipped 8 of 8" in m for m in logs)


@pytest.mark.parametrize("kind, max_roll", [("keycolor", 60), ("aruco", 180), ("checker", 180)])
def test_random_poses_and_scenes_never_give_a_wrong_quad(kind, max_roll):
    """Random looks and poses: every frame is either within 2 px or a miss with a reason;
    most are kept."""
    from authoring.driving.markers.fit import Miss
    from authoring.driving.markers.spec import make_finder

    spec = marker_spec(kind)
    texture = marker_texture(spec)
    pyr = build_pyramid(texture, np.ones(texture.shape[:2], bool))
    find = make_finder(spec)
    rng = np.random.default_rng(123)
    kept = tried = 0
    for i in range(40):
        q = pose_quad(rng.uniform(-max_roll, max_roll), rng.uniform(-60, 60), rng.uniform(-20, 20), rng.uniform(4, 14))
        if q.min() < 1 or q[:, 0].max() > 639 or q[:, 1].max() > 359:
            continue
        tried += 1
        frame = render_frame(draw_road(random_look(np.random.default_rng(1000 + i)), rng.uniform(0, 5)), pyr, q,
                             rng.uniform(0.5, 1.0))
        fit = find(frame)
        if isinstance(fit, Miss):
            assert fit.reason
            continue
        kept += 1
        assert np.linalg.norm(fit.quad - q, axis=1).max() < 2.0, (i, kind)
        if tried == 16:
            break
    assert tried == 16 and kept >= 13, (tried, kept)
