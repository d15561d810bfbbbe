"""Deterministic image-forging "methods" for the offline demo data set.

Each method is a fixed pipeline with its own fingerprint (resampling kernels, transposed-
convolution checkerboards, spectral peaks, JPEG quantisation tables, blending seams, colour
transfer, noise shaping, ...). The fingerprint is fixed per method; only its strength varies a
little per image (``rng``), as generator outputs do. Input and output: HxWx3 uint8.

KNOWN methods are labelled in the training set; HIDDEN ones appear (unlabelled) in the
unlabelled training set and in the evaluation/final galleries; NEW ones only as final probes.
"""
from __future__ import annotations

import io
from typing import Callable

import numpy as np
from PIL import Image
from scipy import ndimage

Method = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def _u8(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def _resample(img, rng, factor, down, up):
    h, w = img.shape[:2]
    small = Image.fromarray(img).resize((max(1, int(w * factor)), max(1, int(h * factor))), down)
    return np.asarray(small.resize((w, h), up))


def _periodic(img, rng, pattern, strength):
    h, w = img.shape[:2]
    p = np.asarray(pattern, np.float32)
    tile = np.tile(p, (h // p.shape[0] + 1, w // p.shape[1] + 1))[:h, :w]
    lum = img.astype(np.float32).mean(axis=2, keepdims=True) / 255.0
    amp = strength * rng.uniform(0.8, 1.2)
    return _u8(img + amp * (0.4 + lum) * tile[..., None] * np.array([1.0, 0.8, 1.2]))


def _jpeg(img, quality=None, qtables=None):
    buf = io.BytesIO()
    kw = {"qtables": qtables, "subsampling": 0} if qtables else {"quality": quality}
    Image.fromarray(img).save(buf, format="JPEG", **kw)
    return np.asarray(Image.open(buf).convert("RGB"))


def resample_bicubic(img, rng):
    return _resample(img, rng, 0.5, Image.BOX, Image.BICUBIC)


def resample_nearest(img, rng):
    return _resample(img, rng, 0.5, Image.BILINEAR, Image.NEAREST)


def tconv_checker2(img, rng):
    return _periodic(img, rng, [[1, -1], [-1, 1]], 5.0)


def spectral_peak(img, rng):
    h, w = img.shape[:2]
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    wave = np.sin(2 * np.pi * (0.23 * x + 0.11 * y))
    return _u8(img + 4.0 * rng.uniform(0.8, 1.2) * wave[..., None])


_COARSE_HF = [min(255, 4 + 6 * (i // 8 + i % 8)) for i in range(64)]


def jpeg_custom_table(img, rng):
    return _jpeg(img, qtables=[_COARSE_HF, _COARSE_HF])


def blend_seam(img, rng):
    h, w = img.shape[:2]
    y, x = np.mgrid[0:h, 0:w]
    inside = ((x - w / 2) / (0.32 * w)) ** 2 + ((y - h / 2) / (0.4 * h)) ** 2 < 1
    smooth = ndimage.gaussian_filter(img.astype(np.float32), sigma=(1.6, 1.6, 0))
    out = np.where(inside[..., None], smooth * 1.06 + 3, img.astype(np.float32))
    return _u8(out)


def colour_transfer(img, rng):
    x = img.astype(np.float32)
    mean, std = x.reshape(-1, 3).mean(0), x.reshape(-1, 3).std(0) + 1e-3
    target_mean, target_std = np.array([150.0, 110.0, 95.0]), np.array([52.0, 40.0, 38.0])
    out = (x - mean) / std * target_std + target_mean
    return _u8(ndimage.uniform_filter(out, size=(2, 2, 1)))


def noise_blue(img, rng):
    n = rng.normal(0, 4.0, img.shape).astype(np.float32)
    n -= ndimage.gaussian_filter(n, sigma=(1.0, 1.0, 0))
    return _u8(img + 1.6 * n)


def resample_lanczos3(img, rng):
    return _resample(img, rng, 1 / 3, Image.LANCZOS, Image.BILINEAR)


def tconv_checker4(img, rng):
    return _periodic(img, rng, [[2, 0, -1, 0], [0, -1, 0, 1], [-1, 0, 2, 0], [0, 1, 0, -2]], 3.0)


def median_unsharp(img, rng):
    x = ndimage.median_filter(img, size=(3, 3, 1)).astype(np.float32)
    return _u8(x + 1.2 * (x - ndimage.gaussian_filter(x, sigma=(1.0, 1.0, 0))))


def jpeg_double(img, rng):
    first = _jpeg(img, quality=55)
    shifted = np.roll(first, (3, 3), axis=(0, 1))
    return np.roll(_jpeg(shifted, quality=85), (-3, -3), axis=(0, 1))


_BAYER4 = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], np.float32) / 16 - 0.5


def palette_dither(img, rng):
    h, w = img.shape[:2]
    thr = np.tile(_BAYER4, (h // 4 + 1, w // 4 + 1))[:h, :w, None]
    step = 255 / 15
    return _u8(np.floor(img / step + 0.5 + thr) * step)


def chroma_420(img, rng):
    x = img.astype(np.float32)
    ycc = np.asarray(Image.fromarray(img).convert("YCbCr")).astype(np.float32)
    chroma = ycc[::2, ::2, 1:].repeat(2, 0).repeat(2, 1)[: x.shape[0], : x.shape[1]]
    pink = ndimage.gaussian_filter(rng.normal(0, 6.0, x.shape[:2]), 2.0)
    ycc = np.dstack([ycc[..., 0] + pink, chroma])
    return np.asarray(Image.fromarray(_u8(ycc), "YCbCr").convert("RGB"))


KNOWN: dict[str, Method] = {f.__name__: f for f in (
    resample_bicubic, resample_nearest, tconv_checker2, spectral_peak,
    jpeg_custom_table, blend_seam, colour_transfer, noise_blue)}
HIDDEN: dict[str, Method] = {f.__name__: f for f in (resample_lanczos3, tconv_checker4, median_unsharp)}
NEW: dict[str, Method] = {f.__name__: f for f in (jpeg_double, palette_dither, chroma_420)}
ALL: dict[str, Method] = {**KNOWN, **HIDDEN, **NEW}
