# The CPU worker image (worker and beat): the scorers, their model runtimes and the Docker
# client of the container sandbox (requirements-worker.txt). PyPI has only the CUDA build of
# torch for x86_64 Linux, so this image is a few GB; it runs on the CPU where no GPU is given.
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE} AS venv
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY requirements-api.txt requirements-worker.txt requirements.lock /req/
# docker/wheelhouse/worker/ is empty in git; docker/build_local.sh worker fills it.
COPY docker/wheelhouse/worker/ /wheels/
# facenet-pytorch --no-deps: MTCNN weights ship inside its wheel; its pinned deps would replace torch.
RUN python3 -m venv /opt/venv \
 && if ls /wheels/*.whl >/dev/null 2>&1; then FROM="--no-index --find-links /wheels"; else FROM=""; fi \
 && /opt/venv/bin/pip install --no-compile $FROM -r /req/requirements-worker.txt -c /req/requirements.lock \
 && /opt/venv/bin/pip install --no-compile $FROM --no-deps -c /req/requirements.lock facenet-pytorch

FROM ${BASE_IMAGE} AS src
COPY . /src
RUN cd /src && rm -rf docker tests bench

FROM ${BASE_IMAGE}
# The system libraries opencv-python (ultralytics' OpenCV, not the headless build) loads.
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        libgl1 libglib2.0-0 libxcb1 libsm6 libxext6 libxrender1 \
 && rm -rf /var/lib/apt/lists/*
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PATH=/opt/venv/bin:$PATH
COPY --from=venv /opt/venv /opt/venv
COPY --from=src /src /app
WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app aisc 2>/dev/null || true; mkdir -p /srv/aisc && chown 10001 /srv/aisc
USER 10001
