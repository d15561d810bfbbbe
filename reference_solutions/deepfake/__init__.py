"""Deepfake-track reference submissions (AreYouFake MSDA + MAD, "hello world"): embedding
networks trained with torch on the demo's public data, shipped as kit images running numpy."""
