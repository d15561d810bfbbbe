"""Authoring tools of the driving track (see the authoring package)."""
