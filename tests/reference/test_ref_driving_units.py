"""Driving reference methods, unit level: the fast differentiable path renders exactly what
the scorer renders, masks from the search obey the rules, the losses point the right way."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from evaluators.driving.render import build_pyramid, render_frame
from evaluators.driving.render_torch import torch_pyramid
from evaluators.driving.submission import count_regions
from reference_solutions.driving import mask_search
from reference_solutions.driving.losses import (
    adam_loss,
    nps_loss,
    printable_palette,
    tv_loss,
    vanish_loss,
)
from reference_solutions.driving.pipeline import (
    GRID_H,
    GRID_W,
    full_res,
    grid_pyramid,
    level_count,
    render_batch,
    texture_bgr255,
    to_uint8_rgb,
)


@pytest.fixture(scope="module")
def tiny_public(tmp_path_factory):
    """A demo-shaped directory with a public_train bundle of two short generated scenes."""
    from authoring.driving.scenegen.build import build_scene_bundle

    root = tmp_path_factory.mktemp("drv_public")
    plan = [("train_truck_01", "truck", 2000, 3), ("train_mannequin_02", "mannequin", 2010, 3)]
    build_scene_bundle(root / "public_train", plan, public=True, name="tiny-public")
    return root


def test_grid_pyramid_equals_the_renderers_pyramid():
    g = torch.rand(3, GRID_H, GRID_W, generator=torch.Generator().manual_seed(1))
    m = torch.rand(GRID_H, GRID_W, generator=torch.Generator().manual_seed(2)) > 0.4
    ref = torch_pyramid(texture_bgr255(g), full_res(m[None].float()))
    mine = grid_pyramid(g.flip(0) * 255, m.float(), set(range(1, level_count())))
    assert len(mine) == len(ref)
    for k in range(1, len(ref)):
        assert mine[k].shape == ref[k].shape
        assert torch.allclose(mine[k], ref[k], atol=1e-3), k


def test_differentiable_render_matches_the_scorer(tiny_public):
    from reference_solutions.driving.public_data import load_public

    samples = load_public(tiny_public, 256)
    g = torch.rand(3, GRID_H, GRID_W, generator=torch.Generator().manual_seed(3))
    m = mask_search.raster([mask_search.Shape("ellipse", 60, 140, 50, 120)])
    ours = render_batch(g, m, samples, None, None).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
    pyr = build_pyramid(np.ascontiguousarray(to_uint8_rgb(g)[:, :, ::-1]), full_res(m[None])[0].numpy())
    from evaluators.driving.bundle import load_bundle

    scenes = {sc.name: sc for sc in load_bundle(tiny_public / "public_train").scenes}
    for s, img in zip(samples, ours):
        sc = scenes[s.scene]
        ref = render_frame(sc.frame(s.index), pyr, sc.quads[s.index], sc.shading_at(s.index))
        x0, y0 = s.origin
        ref = ref[y0:y0 + 256, x0:x0 + 256]
        diff = np.abs(ref.astype(int) - img.astype(int))
        assert diff.max() <= 2 and diff.mean() < 0.05, (s.scene, s.index, diff.max(), diff.mean())
        assert (ref != s.crop).any()  # the patch is really there


def test_gradients_reach_the_texture_only_inside_the_mask(tiny_public):
    from reference_solutions.driving.public_data import load_public

    samples = load_public(tiny_public, 256)
    g = torch.full((3, GRID_H, GRID_W), 0.5, requires_grad=True)
    m = torch.zeros(GRID_H, GRID_W, dtype=torch.bool)
    m[20:80, 50:200] = True
    render_batch(g, m, samples, None, None).sum().backward()
    assert g.grad[:, m].abs().sum() > 0
    assert g.grad[:, ~m].abs().sum() == 0


def test_mask_search_masks_obey_the_region_and_area_rules():
    rng = np.random.default_rng(0)
    for _ in range(20):
        shapes = mask_search.random_mask(rng, 0.4)
        assert 1 <= len(shapes) <= 5
        m = mask_search.raster(shapes)
        assert 0 < m.float().mean() <= 0.4
        assert count_regions(full_res(m[None])[0].numpy(), 8) <= 5
        for _name, moved in mask_search.moves(shapes, rng, 0.4):
            assert len(moved) <= 5 and 0 < mask_search.coverage(moved) <= 0.4


def test_vanish_loss_follows_the_highest_confidence():
    low = torch.full((2, 50), 0.05)
    high = low.clone()
    high[1, 7] = 0.9
    assert vanish_loss(high) > vanish_loss(low) + 0.3


def test_adam_loss_rewards_the_fixed_target_class():
    scores = torch.full((1, 4, 10), 0.01)
    scores[0, 2, 3] = 0.8                       # a confident 'truck' anchor
    attack, target = [[1, 2, 3]], [0]
    before = adam_loss(scores, attack, target)
    moved = scores.clone()
    moved[0, 2, 3], moved[0, 0, 3] = 0.05, 0.9  # the anchor turned into 'person'
    assert adam_loss(moved, attack, target) < before - 1.0


def test_tv_and_nps_prefer_smooth_printable_textures():
    flat = torch.full((3, 20, 20), 0.5)
    noisy = torch.rand(3, 20, 20, generator=torch.Generator().manual_seed(0))
    assert tv_loss(flat) == 0 and tv_loss(noisy) > 0.2
    pal = printable_palette()
    assert nps_loss(flat, pal) < 1e-6 and nps_loss(noisy, pal) > 0.05
