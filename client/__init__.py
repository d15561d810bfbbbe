"""The team client: ``client.http.Client`` (the REST API over HTTP), the CLI
(``python -m client.cli``) and the demo driver that submits the demo baselines as teams
(``python -m client.demo_submit``). Talks to the platform over HTTP only: it imports neither the
API nor the core."""
