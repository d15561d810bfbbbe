# The GPU worker image: the CPU worker image (CUDA torch from PyPI, with its nvidia-* runtime
# wheels) with onnxruntime-gpu in place of onnxruntime, so the ONNX face models run on CUDA too.
# Build the worker image first (docker/build_local.sh gpu-worker does both).
ARG WORKER_IMAGE=aisc/worker:latest
FROM ${WORKER_IMAGE}
USER 0
# docker/wheelhouse/gpu/ (onnxruntime-gpu's wheel, about 300 MB) stays in a layer of this image.
COPY docker/wheelhouse/gpu/ /wheels/
RUN export PIP_NO_CACHE_DIR=1; if ls /wheels/*.whl >/dev/null 2>&1; then FROM="--no-index --find-links /wheels"; else FROM=""; fi \
 && pip uninstall -q -y onnxruntime \
 && pip install --no-compile $FROM -c /app/requirements.lock "onnxruntime-gpu==1.31.1"
USER 10001
