"""Embedding cache for the bundle's compare targets, keyed by model (FaceBackend.cache_key) and
the sha256 of each image file. One .npz per model; writes are atomic (temp file + rename), so
concurrent workers at worst compute the same embeddings twice."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np


class EmbeddingCache:
    def __init__(self, root: Path, model_key: str):
        self.path = Path(root) / f"{model_key}.npz"
        self._table: dict[str, np.ndarray] = {}
        if self.path.is_file():
            try:
                with np.load(self.path, allow_pickle=False) as z:
                    self._table = dict(zip(z["keys"].tolist(), z["vectors"]))
            except (OSError, ValueError, KeyError):
                self._table = {}  # a corrupt cache is rebuilt

    def get_many(self, digests: list[str], compute: Callable[[list[int]], np.ndarray]) -> tuple[np.ndarray, int]:
        """Embeddings for ``digests``; ``compute(indices)`` embeds the missing ones. Returns (E, n_computed)."""
        missing = [i for i, d in enumerate(digests) if d not in self._table]
        if missing:
            new = compute(missing)
            for i, v in zip(missing, new):
                self._table[digests[i]] = np.asarray(v, np.float32)
            self._save()
        return np.stack([self._table[d] for d in digests]), len(missing)

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(sorted(self._table))
        vectors = np.stack([self._table[k] for k in keys.tolist()])
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        os.close(fd)
        try:
            np.savez(tmp, keys=keys, vectors=vectors)
            os.replace(tmp, self.path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
