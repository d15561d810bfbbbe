"""The container sandbox: run one untrusted image with no network, a read-only root, dropped
capabilities, a non-root user, memory/CPU/pids/time limits and capped output and logs.

Track-agnostic. Used by the deepfake track (``evaluators.deepfake.run``) and by the submission
kit's self-check; it imports neither the workers nor the platform core.

- ``sandbox.limits``: ``Limits``, the one definition of the limits and their bounds;
- ``sandbox.container``: ``run_container`` and the capped input/output directories;
- ``sandbox.image``: load, verify, remove and prune submitted images on the Docker Engine;
- ``sandbox.image_archive``: cheap pure-Python checks of a ``docker save`` tarball (no Docker);
- ``sandbox.settings``: the ``AISC_SANDBOX_*`` environment of the machine that runs containers.

Importing this package imports nothing heavy; the Docker SDK is imported by ``container`` and
``image`` only.
"""
