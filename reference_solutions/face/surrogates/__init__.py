"""Torch ports of the offline face-recognition models (weights read from the original files)."""
from .models import FaceSurrogate, available, load_surrogate

__all__ = ["FaceSurrogate", "available", "load_surrogate"]
