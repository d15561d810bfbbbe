"""Files shipped into the submission image as /app (numpy only; they import each other by
top-level name inside the container, and are imported as a package on the host)."""
