"""The demo competition's page texts (Markdown): overview, rules, data terms and, per track,
what to submit. ``authoring.demo_competition`` writes them next to the competition YAML."""
from __future__ import annotations

DESCRIPTION = """\
An offline mirror of the **Artificial Intelligence Security Competition** (AISC 2022,
[arXiv:2212.03412](https://arxiv.org/abs/2212.03412)): three tracks on the security of
machine-learning models.

| Track | You submit | Scored on |
|---|---|---|
| Adversarial faces | a zip of perturbed face images | three black-box face-recognition models |
| Adversarial driving patches | a patch texture and its mask | a white-box and a black-box detector over rendered driving scenes |
| Deepfake method attribution | a Docker image | precision@5 (and novelty AUC in the final phase) on hidden probes |

Each track has phases; a phase's page shows when it opens and closes, its quotas and how teams
are ranked. The demo's data, models and scenes are built on the machine from packaged photos
and the project's own code, so the figures are illustrative.
"""

RULES = """\
1. One team, one account: a team submits only with its own API token.
2. Quotas are per team, per phase and per UTC day; a submission that fails for an
   infrastructure reason does not count.
3. The leaderboard ranks each team's best (or, where a phase says so, last) scored submission;
   ties go to the earlier submission.
4. Hidden data stays hidden: no attempt to read, infer or exfiltrate it from a run (the deepfake
   containers run without network).
5. The organizers may re-score submissions on new data and models (the preliminary evaluation)
   and disqualify a submission that breaks these rules.
"""

TERMS = """\
The demo's images come from openly licensed package data (face-recognition, scikit-image,
matplotlib, ultralytics, Debian's darknet) and from scenes the project renders itself. Use the
data only to take part in this competition; do not redistribute the hidden parts.
"""

SUBMIT = {
    "face": """\
A **zip** of N aligned **112x112 8-bit RGB PNG** images named `0001.png`, `0002.png`, ... (one per
pair of the phase), at the top level or in one folder. For pair *j*, the adversarial version
of `xxxx.png` should be verified as the same person as `xxxx_compare.png`.

- The perturbation (pixels that differ from the original in any channel) may have at most
  **5 connected regions** (8-connectivity, 4 where a phase says so) covering at most
  **10% of the image** (1254 pixels). A sample that breaks this, is missing, or has the wrong
  size or mode counts as an unsuccessful attack.
- Score: the fraction of pairs verified, averaged over three face-recognition models.

The starting kit is an example submission (the unchanged images): a valid file to try the
upload with.
""",
    "driving": """\
One file, either

- `patch.png`: one **2790x1260 8-bit RGBA PNG** whose alpha channel is the mask (0 or 255), or
- a **zip** holding `patch.png` (2790x1260 8-bit RGB, or RGBA whose alpha is ignored) and
  `mask.png` (2790x1260 8-bit grayscale, or RGB with equal channels; 0 or 255).

More than 5 connected regions in the mask void the submission. At most 64 MiB.

The patch is rendered into every frame of every scene. Score:
(1/2) x (fraction of frames in which each of the two detectors finds no target) + 0.2 x
(1 - mask area / patch area). The leaderboard shows the per-model, per-scene and per-kind
fractions and the area term.
""",
    "deepfake": """\
A **Docker image** saved with `docker save` (a tarball). It runs with no network, a read-only
root file system and limits on memory, CPU and time, with `/input/probe` and `/input/gallery`
mounted, and writes `/output/predictions.jsonl`, one line per probe:

```
{"probe": "p000123", "top5": [{"gallery": "g004512", "similarity": 0.93}, ...], "novel_prob": 0.12}
```

Exactly five distinct gallery ids per probe; `novel_prob` is required in the final phase.
Build your image from the submission kit (`submission_kit/deepfake/`).
""",
}
