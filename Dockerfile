# One image for the API (the default command) and the worker (`arq worker.main.WorkerSettings`).
# Migrations run from the same image with `alembic upgrade head`.

FROM python:3.11-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /build
# The `*` lets the build go on when constraints.txt is missing.
COPY pyproject.toml README.md constraints.txt* ./
COPY src/ src/
COPY worker/ worker/
# constraints.txt pins the versions that were tested together; pyproject.toml only gives ranges.
RUN if [ -f constraints.txt ]; then \
        pip install --no-cache-dir --constraint constraints.txt . ; \
    else \
        pip install --no-cache-dir . ; \
    fi


FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin app

COPY --from=builder /opt/venv /opt/venv

# `alembic upgrade head` and `arq worker.main.WorkerSettings` are run from this folder.
WORKDIR /app
COPY alembic.ini ./
COPY alembic/ alembic/
COPY worker/ worker/

USER 10001:10001
EXPOSE 8000

# Liveness only: /healthz needs no database. The worker service overrides this check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["uvicorn", "brain_battles.main:app", "--host", "0.0.0.0", "--port", "8000"]
