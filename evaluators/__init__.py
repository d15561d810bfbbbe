"""The scoring library: one package per track plus common/.

Pure code: no database, no Celery, no HTTP. Every scorer is a function of
(submission artifact, bundle directory, settings) -> Result and can be run from
the command line with ``python -m evaluators``.
"""
