# One image for every docai service (api, workers, watcher, ui); the command picks the role.
# CPU build (default):  docker compose build
# GPU workers:           TORCH_INDEX=https://download.pytorch.org/whl/cu126 (set in docker-compose.yml)
FROM python:3.11-slim-bookworm

ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DOCAI_HOME=/data

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-nld poppler-utils libgl1 libglib2.0-0 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# torch first and pinned, from the index that matches the hardware (CPU or CUDA).
RUN pip install torch==${TORCH_VERSION} --index-url ${TORCH_INDEX}
COPY pyproject.toml README.md ./
COPY docai ./docai
COPY workers ./workers
COPY schemas ./schemas
COPY model ./model
COPY ui ./ui
RUN pip install .

RUN useradd --create-home --uid 10001 docai && mkdir -p /data && chown docai /data
USER docai
VOLUME ["/data"]
EXPOSE 8000 8501
CMD ["docai", "api", "--host", "0.0.0.0"]
