"""The embedding network's forward pass in numpy (runs inside the submission image).

``params`` is the dict of arrays the host exports (``reference_solutions.deepfake.nets.export``):
input standardisation, two linear layers with an eval-mode batch norm and ReLU in between, an
optional BNNeck (batch norm after the feature) and the classifier. Returns the retrieval
embedding (BNNeck output, or the feature when there is no neck) and the class logits.
"""
import numpy as np


def _bn(x, params, name):
    scale = params[name + "_g"] / np.sqrt(params[name + "_v"] + float(params["bn_eps"]))
    return (x - params[name + "_m"]) * scale + params[name + "_b"]


def forward(params, x):
    """x: (N, d_in) raw features -> (embedding (N, dim), logits (N, classes)), float64."""
    x = (np.asarray(x, dtype=np.float64) - params["in_mean"]) / params["in_std"]
    h = x @ params["w1"].T + params["b1"]
    h = np.maximum(_bn(h, params, "bn1"), 0.0)
    f = h @ params["w2"].T + params["b2"]
    emb = _bn(f, params, "neck") if "neck_g" in params else f
    logits = emb @ params["cls_w"].T
    if "cls_b" in params:
        logits = logits + params["cls_b"]
    return emb, logits


def normalise(z):
    z = np.asarray(z, dtype=np.float64)
    return z / (np.linalg.norm(z, axis=1, keepdims=True) + 1e-12)
