"""Extra features next to the kit's (numpy only; runs inside the submission image).

The kit pools the residual's power spectrum into 8 x 5 bands by sum, so a periodic
fingerprint (a transposed-convolution pattern, a tilted sine) is diluted by the face's own
spectrum and patterns of different periods share a band. Here:

- spectral peakiness: the residual's power divided by its local median (5 x 5 bins), the
  log of the maximum in each of 8 x 5 cells of the fft-shifted half-plane: a spike at any
  frequency stands out whatever the face;
- residual shape: kurtosis and the share of zero horizontal / vertical first differences per
  channel (median filtering, palettes and quantisation leave flat runs);
- noise floor: low percentiles of the residual energy in 4 x 4 blocks per channel.
"""
import numpy as np

LUMA = np.array([0.299, 0.587, 0.114])


def _box3(a):
    p = np.pad(a, 1, mode="reflect")
    h, w = a.shape
    return sum(p[i:i + h, j:j + w] for i in range(3) for j in range(3)) / 9.0


def _local_median(a, r=2):
    p = np.pad(a, r, mode="wrap")
    h, w = a.shape
    stack = np.stack([p[i:i + h, j:j + w] for i in range(2 * r + 1) for j in range(2 * r + 1)])
    return np.median(stack, axis=0)


def peakiness(g, rows=8, cols=5):
    r = g - _box3(g)
    power = np.fft.fftshift(np.abs(np.fft.rfft2(r)) ** 2, axes=0)
    peak = np.log((power + 1e-6) / (_local_median(power) + 1e-6))
    return [c.max() for band in np.array_split(peak, rows, axis=0) for c in np.array_split(band, cols, axis=1)]


def residual_shape(x):
    f = []
    for c in range(3):
        ch = x[..., c]
        r = ch - _box3(ch)
        v = (r * r).mean() + 1e-9
        f.append(np.log((r ** 4).mean() / v ** 2 + 1e-9))
        f.append((np.diff(ch, axis=1) == 0).mean())
        f.append((np.diff(ch, axis=0) == 0).mean())
    return f


def grid_phases(g, periods=(2, 4, 8)):
    """Mean residual per pixel phase (y mod P, x mod P), over the residual's scale: a pattern
    aligned with the pixel grid (transposed convolutions, dithering) shows up in full; for P = 8
    also the mean absolute residual per phase (JPEG block edges)."""
    r = g - _box3(g)
    scale = np.sqrt((r * r).mean()) + 1e-6
    f = []
    for p in periods:
        h, w = (r.shape[0] // p) * p, (r.shape[1] // p) * p
        blocks = r[:h, :w].reshape(h // p, p, w // p, p)
        f.extend((blocks.mean(axis=(0, 2)) / scale).ravel())
        if p == 8:
            a = np.abs(blocks).mean(axis=(0, 2))
            f.extend((a / (a.mean() + 1e-9) - 1.0).ravel())
    return f


def noise_floor(x, block=4):
    """Per channel, the log of the 5th, 25th and 50th percentile of the residual energy in
    4 x 4 blocks: noise added to the whole image lifts the quiet blocks, filters flatten them."""
    f = []
    for c in range(3):
        ch = x[..., c]
        r = ch - _box3(ch)
        h, w = (r.shape[0] // block) * block, (r.shape[1] // block) * block
        energy = (r[:h, :w] ** 2).reshape(h // block, block, w // block, block).mean(axis=(1, 3)).ravel()
        f.extend(np.log(np.percentile(energy, [5, 25, 50]) + 1e-3))
    return f


def spectrum_features(img):
    x = np.asarray(img, dtype=np.float64)[..., :3]
    g = x @ LUMA
    return np.asarray(peakiness(g) + grid_phases(g) + residual_shape(x) + noise_floor(x), dtype=np.float64)


def all_features(img, kit_features):
    """The kit's feature vector followed by the extra features."""
    return np.concatenate([kit_features(img), spectrum_features(img)])
