"""Platform core: settings, database models, storage, submission lifecycle, quotas,
leaderboards and the competition loader. Imported by ``api`` and ``workers``."""
