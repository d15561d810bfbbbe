"""Deepfake-track submission kit: Dockerfile, inference template, baseline, base image, selfcheck."""
