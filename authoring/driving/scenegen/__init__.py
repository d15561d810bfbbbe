"""The offline demo's scene generator: real photos composited onto procedural roads."""
