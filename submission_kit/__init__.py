"""Submission kits for the competition tracks (templates, base images, self-checks)."""
