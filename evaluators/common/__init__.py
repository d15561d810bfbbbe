"""Pieces shared by the track scorers: result type, errors, bundle manifests, safe decoding."""
