"""Face-track reference attacks (adversarial faces against black-box verification)."""
