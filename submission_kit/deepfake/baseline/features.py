"""Noise-residual statistics of one image (numpy only; runs inside the submission image).

A fixed feature vector that captures forging fingerprints rather than content: residual
energy per channel, residual autocorrelation (resampling, checkerboards), the residual's
power spectrum in bands (spectral peaks, periodic patterns), 8x8 block-DCT magnitudes (JPEG
tables), colour statistics (colour transfer) and histogram gaps (palettes, quantisation).
"""
import numpy as np

LUMA = np.array([0.299, 0.587, 0.114])
_N = 8
_DCT = np.array([[np.sqrt((1 if k == 0 else 2) / _N) * np.cos(np.pi * (2 * n + 1) * k / (2 * _N))
                  for n in range(_N)] for k in range(_N)])


def _box3(a):
    p = np.pad(a, 1, mode="reflect")
    h, w = a.shape
    return sum(p[i:i + h, j:j + w] for i in range(3) for j in range(3)) / 9.0


def _autocorr(r, lags):
    v = (r * r).mean() + 1e-9
    h, w = r.shape
    return [(r[: h - dy, : w - dx] * r[dy:, dx:]).mean() / v for dy, dx in lags]


def _spectrum(r, bins=8):
    power = np.abs(np.fft.rfft2(r)) ** 2
    power /= power.sum() + 1e-9
    rows = np.array_split(np.fft.fftshift(power, axes=0), bins, axis=0)
    return [np.log(c.sum() + 1e-9) for row in rows for c in np.array_split(row, bins // 2 + 1, axis=1)]


def _block_dct(g):
    h, w = (g.shape[0] // _N) * _N, (g.shape[1] // _N) * _N
    blocks = g[:h, :w].reshape(h // _N, _N, w // _N, _N).transpose(0, 2, 1, 3) - 128.0
    coef = np.einsum("ij,abjk,lk->abil", _DCT, blocks, _DCT).reshape(-1, _N * _N)
    mag = np.log1p(np.abs(coef).mean(axis=0))
    near_int = np.abs(coef - np.rint(coef)).mean(axis=0)  # quantisation leaves regular values
    return list(mag) + [near_int.mean()]


def features(img):
    """img: HxWx3 uint8 array -> 1-d float64 feature vector."""
    x = np.asarray(img, dtype=np.float64)[..., :3]
    g = x @ LUMA
    r = g - _box3(g)
    res_c = [x[..., c] - _box3(x[..., c]) for c in range(3)]
    f = [np.log((rc * rc).mean() + 1e-6) for rc in res_c]
    f += _autocorr(r, [(0, 1), (1, 0), (1, 1), (0, 2), (2, 0), (2, 2), (0, 3), (3, 0), (0, 4), (4, 0), (1, 2), (2, 1)])
    f += _spectrum(r)
    f += _block_dct(g)
    f += list(x.reshape(-1, 3).mean(0) / 255.0) + list(x.reshape(-1, 3).std(0) / 255.0)
    for c in range(3):
        hist = np.bincount(x[..., c].astype(np.int64).ravel(), minlength=256)
        lo, hi = int(x[..., c].min()), int(x[..., c].max())
        f.append((hist[lo:hi + 1] == 0).mean())
    return np.asarray(f, dtype=np.float64)
