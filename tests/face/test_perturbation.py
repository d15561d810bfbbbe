"""The connected-domain rule against hand-made masks."""
import numpy as np
import pytest

from evaluators.face.perturbation import check_budget, count_components, perturbation_mask


def blank():
    return np.zeros((112, 112), bool)


def test_diagonal_pixels_are_one_region_in_8_and_two_in_4():
    m = blank()
    m[10, 10] = m[11, 11] = True
    assert count_components(m, 8) == 1
    assert count_components(m, 4) == 2


def test_empty_mask_has_no_regions():
    assert count_components(blank(), 8) == 0
    assert check_budget(blank()).ok


@pytest.mark.parametrize("pixels,ok", [(1254, True), (1255, False)])
def test_pixel_budget_edge(pixels, ok):
    m = blank().reshape(-1)
    m[:pixels] = True  # consecutive rows: one region
    m = m.reshape(112, 112)
    chk = check_budget(m)
    assert chk.components == 1 and chk.pixels == pixels and chk.ok is ok
    if not ok:
        assert "1255 changed pixels (at most 1254 allowed)" in chk.reason


@pytest.mark.parametrize("n,ok", [(5, True), (6, False)])
def test_component_budget_edge(n, ok):
    m = blank()
    for i in range(n):
        m[5, 5 + 3 * i] = True  # separated by two clear columns
    chk = check_budget(m)
    assert chk.components == n and chk.ok is ok
    if not ok:
        assert "6 connected regions (at most 5 allowed, 8-connectivity)" in chk.reason


def test_six_diagonal_touching_blocks_pass_with_8_but_fail_with_4():
    m = blank()
    for i in range(6):
        m[10 + i, 10 + i] = True  # a diagonal line: 1 region (8-conn) or 6 (4-conn)
    assert check_budget(m, connectivity=8).ok
    chk = check_budget(m, connectivity=4)
    assert not chk.ok and chk.components == 6


def test_mask_counts_a_pixel_changed_in_any_single_channel():
    a = np.zeros((112, 112, 3), np.uint8)
    b = a.copy()
    b[0, 0, 2] = 1
    b[5, 5, 0] = 255
    m = perturbation_mask(b, a)
    assert m.sum() == 2 and m[0, 0] and m[5, 5]
