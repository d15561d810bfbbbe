"""Reference submissions: the AISC top-team methods, each producing a real submission artifact."""
