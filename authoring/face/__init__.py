"""Authoring tools of the face track (see the authoring package)."""
