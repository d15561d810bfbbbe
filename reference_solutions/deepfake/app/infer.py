"""Entry point of the reference deepfake submissions (runs inside the container as /app/infer.py).

Reads /input/probe/*.png and /input/gallery/*.png, embeds every image (the submission kit's
noise-residual features plus spectrum.py's, then the trained network in numpy: forward.py with model.npz),
ranks the gallery by cosine similarity and writes /output/predictions.jsonl with novel_prob
(retrieval.py: MAD fusion or cluster-similarity entropy, as model.npz says).
"""
import json
import os
import sys
import time

import numpy as np
from PIL import Image

from features import features as kit_features
from forward import forward, normalise
from retrieval import novelty, top5
from spectrum import all_features

HERE = os.path.dirname(os.path.abspath(__file__))
INPUT = os.environ.get("AISC_INPUT", "/input")
OUTPUT = os.environ.get("AISC_OUTPUT", "/output")


def embed_dir(params, path):
    ids = sorted(n[:-4] for n in os.listdir(path) if n.endswith(".png"))
    feats = []
    for ident in ids:
        with Image.open(os.path.join(path, ident + ".png")) as im:
            feats.append(all_features(np.asarray(im.convert("RGB")), kit_features))
    emb, logits = forward(params, np.asarray(feats))
    return ids, normalise(emb), logits


def main():
    t0 = time.time()
    with np.load(os.path.join(HERE, "model.npz")) as f:
        params = {k: f[k] for k in f.files}
    probes, pz, _ = embed_dir(params, os.path.join(INPUT, "probe"))
    gallery, gz, g_logits = embed_dir(params, os.path.join(INPUT, "gallery"))
    if len(gallery) < 5:
        raise SystemExit(f"need at least 5 gallery images, found {len(gallery)}")
    print(f"{params['method'].item()}: embedded {len(probes)} probes and {len(gallery)} gallery images "
          f"in {time.time() - t0:.1f} s", flush=True)
    top, top_sims = top5(pz @ gz.T)
    novel = novelty(params, pz, gz, g_logits)
    with open(os.path.join(OUTPUT, "predictions.jsonl"), "w") as out:
        for i, probe in enumerate(probes):
            row = [{"gallery": gallery[j], "similarity": round(float(s), 6)} for j, s in zip(top[i], top_sims[i])]
            out.write(json.dumps({"probe": probe, "top5": row, "novel_prob": float(novel[i])}) + "\n")
    print(f"wrote {len(probes)} predictions in {time.time() - t0:.1f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
