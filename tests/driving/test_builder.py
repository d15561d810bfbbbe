"""build-driving-bundle recovers per-frame quads from a recording of a flat key-colour
marker: tested on a recording rendered here with known ground-truth quads."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from authoring.driving.scenegen.road import draw_road, random_look
from evaluators.driving.bundle import load_bundle
from evaluators.driving.render import build_pyramid, render_frame
from evaluators.driving.submission import PATCH_H, PATCH_W


def _gt_quad(i: int) -> np.ndarray:
    """A truck rear approaching: the quad grows and drifts, with some perspective."""
    s = 1.0 + 0.12 * i
    cx, cy = 320 + 6 * i, 170 + 3 * i
    w, h = 60 * s, 27 * s
    return np.array([[cx - w, cy - h], [cx + w * 1.02, cy - h * 1.08], [cx + w, cy + h], [cx - w * 0.97, cy + h * 1.03]])


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    import cv2

    root = tmp_path_factory.mktemp("rec")
    marker, clean = root / "marker", root / "clean"
    marker.mkdir()
    clean.mkdir()
    look = random_look(np.random.default_rng(7))
    key = build_pyramid(np.broadcast_to(np.uint8([255, 0, 255]), (PATCH_H, PATCH_W, 3)).copy(),
                        np.ones((PATCH_H, PATCH_W), bool))
    quads, shades = [], []
    for i in range(10):
        bg = draw_road(look, 0.5 * i)
        q, shade = _gt_quad(i), 0.7 + 0.03 * i
        img = render_frame(bg, key, q, shade)
        if i == 9:  # a pole in front of the marker
            cv2.rectangle(img, (330, 100), (336, 300), (40, 40, 40), -1)
            cv2.rectangle(bg, (330, 100), (336, 300), (40, 40, 40), -1)
        cv2.imwrite(str(marker / f"{i:04d}.png"), img)
        cv2.imwrite(str(clean / f"{i:04d}.png"), bg)
        quads.append(q)
        shades.append(shade)
    return marker, clean, np.array(quads), np.array(shades)


def test_quads_recovered_within_two_pixels(recording, tmp_path):
    marker, clean, gt, shades = recording
    out = tmp_path / "bundle"
    cmd = [sys.executable, "-m", "authoring", "build-driving-bundle", "--out", str(out),
           "--scene", f"truck_rec:truck:{marker}:{clean}"]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    (scene,) = load_bundle(out).scenes
    assert len(scene) == 10 and scene.kind == "truck" and "truck" in scene.targets
    err = np.linalg.norm(scene.quads - gt, axis=2)
    assert err.max() < 2.0, err.max()
    assert err.mean() < 0.8
    np.testing.assert_allclose([scene.shading_at(i) for i in range(10)], shades, atol=0.02)
    occ = scene.occluder_at(9)
    assert occ is not None and occ[150:250, 331:336].mean() > 200
    assert scene.occluder_at(0) is None
    # frames come from the clean recording: no magenta left
    import cv2

    hsv = cv2.cvtColor(scene.frame(5), cv2.COLOR_BGR2HSV)
    assert ((np.abs(hsv[:, :, 0].astype(int) - 150) < 8) & (hsv[:, :, 1] > 120)).sum() < 20


def test_without_clean_recording_the_marker_is_painted_out(recording, tmp_path):
    from authoring.driving.builder import SceneSource, build_bundle

    marker, _, gt, _ = recording
    out = build_bundle(tmp_path / "b", [SceneSource("t", "truck", marker)], log=lambda m: None)
    (scene,) = load_bundle(out).scenes
    assert np.linalg.norm(scene.quads - gt, axis=2).max() < 2.0
    frame = scene.frame(3)
    assert not ((frame[:, :, 2] > 200) & (frame[:, :, 0] > 200) & (frame[:, :, 1] < 60)).any()


def test_recording_without_marker_is_refused(tmp_path):
    import cv2

    from authoring.driving.builder import SceneSource, build_bundle
    from evaluators.common.errors import BundleError

    d = tmp_path / "nomarker"
    d.mkdir()
    cv2.imwrite(str(d / "0.png"), np.full((100, 100, 3), 90, np.uint8))
    with pytest.raises(BundleError, match="not found in any frame"):
        build_bundle(tmp_path / "b", [SceneSource("t", "truck", d)], log=lambda m: None)
