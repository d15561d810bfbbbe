"""Inference entry point of a deepfake-attribution submission (runs inside the container).

Contract (the worker runs exactly this; see ../README.md):
  /input/probe/<id>.png     images whose forging method you attribute   (read-only)
  /input/gallery/<id>.png   reference images of known methods           (read-only)
  /output/predictions.jsonl one line per probe (size-capped; the only writable place
                            besides /tmp):
    {"probe": "<id>", "top5": [{"gallery": "<id>", "similarity": 0.93}, ...5 distinct],
     "novel_prob": 0.12}
No network, read-only root filesystem, a non-root user, memory/CPU/pids/time limits.

This skeleton embeds every image with ``embedding.embed`` (replace that module with your
model), ranks the gallery by cosine similarity and scores novelty by the distance to the
nearest gallery images.
"""
import json
import os
import sys
import time

import numpy as np
from PIL import Image

from embedding import embed

INPUT = os.environ.get("AISC_INPUT", "/input")
OUTPUT = os.environ.get("AISC_OUTPUT", "/output")
K = 5


def load_dir(path):
    ids = sorted(n[:-4] for n in os.listdir(path) if n.endswith(".png"))
    feats = []
    for ident in ids:
        with Image.open(os.path.join(path, ident + ".png")) as im:
            feats.append(embed(np.asarray(im.convert("RGB"))))
    z = np.asarray(feats, dtype=np.float64)
    return ids, z / (np.linalg.norm(z, axis=1, keepdims=True) + 1e-12)


def main():
    t0 = time.time()
    probes, pz = load_dir(os.path.join(INPUT, "probe"))
    gallery, gz = load_dir(os.path.join(INPUT, "gallery"))
    print(f"embedded {len(probes)} probes and {len(gallery)} gallery images in {time.time() - t0:.1f} s", flush=True)
    sims = pz @ gz.T
    top = np.argpartition(-sims, K - 1, axis=1)[:, :K]
    top_sims = np.take_along_axis(sims, top, axis=1)
    order = np.argsort(-top_sims, axis=1)
    top, top_sims = np.take_along_axis(top, order, axis=1), np.take_along_axis(top_sims, order, axis=1)
    novel = np.clip((1.0 - top_sims.mean(axis=1)) / 2.0, 0.0, 1.0)  # kNN distance
    with open(os.path.join(OUTPUT, "predictions.jsonl"), "w") as f:
        for i, probe in enumerate(probes):
            row = [{"gallery": gallery[j], "similarity": round(float(s), 6)} for j, s in zip(top[i], top_sims[i])]
            f.write(json.dumps({"probe": probe, "top5": row, "novel_prob": round(float(novel[i]), 6)}) + "\n")
    print(f"wrote {len(probes)} predictions in {time.time() - t0:.1f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
