# The application image (api, worker and beat share it).
# BASE_IMAGE: any Debian-based image with Python 3.11 (public: python:3.11-slim-bookworm;
# offline: the debootstrap image built by docker/build_local.sh).
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
COPY requirements.txt /app/requirements.txt
# docker/wheelhouse/ is empty in git; docker/build_local.sh fills it so the build needs no index.
COPY docker/wheelhouse/ /wheels/
RUN python3 -m venv /opt/venv \
 && if ls /wheels/*.whl >/dev/null 2>&1; then \
        pip install --no-index --find-links /wheels -r /app/requirements.txt \
     && pip install --no-index --find-links /wheels --no-deps facenet-pytorch; \
    else \
        pip install -r /app/requirements.txt && pip install --no-deps facenet-pytorch; \
    fi \
 && rm -rf /wheels /root/.cache
COPY . /app
WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app aisc 2>/dev/null || true; mkdir -p /srv/aisc && chown 10001 /srv/aisc
USER 10001
