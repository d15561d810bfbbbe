# The API image (api and the one-shot migrate job): the web app, the core and the tracks' cheap
# upload checks; no scorer, model runtime or Docker client (requirements-api.txt).
# BASE_IMAGE: any Debian-based image with Python 3.11 (public: python:3.11-slim-bookworm;
# offline: the debootstrap image built by docker/build_local.sh).
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE} AS venv
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY requirements-api.txt requirements.lock /req/
# docker/wheelhouse/api/ is empty in git; docker/build_local.sh fills it so the build needs no index.
COPY docker/wheelhouse/api/ /wheels/
RUN python3 -m venv /opt/venv \
 && if ls /wheels/*.whl >/dev/null 2>&1; then FROM="--no-index --find-links /wheels"; else FROM=""; fi \
 && /opt/venv/bin/pip install --no-compile $FROM -r /req/requirements-api.txt -c /req/requirements.lock

# Only what the API runs: the wheelhouse, the tools, the tests never reach the image.
FROM ${BASE_IMAGE} AS src
COPY . /src
RUN cd /src && rm -rf docker scripts tests bench authoring reference_solutions submission_kit client workers

FROM ${BASE_IMAGE}
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PATH=/opt/venv/bin:$PATH
COPY --from=venv /opt/venv /opt/venv
COPY --from=src /src /app
WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app aisc 2>/dev/null || true; mkdir -p /srv/aisc && chown 10001 /srv/aisc
USER 10001
