"""Authoring tools of the deepfake track (see the authoring package)."""
