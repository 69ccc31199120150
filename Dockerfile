# staffbot: the Telegram bot in a container, its knowledge base on the /data volume.
#
#   docker build -t staffbot .
#   docker run -d --name staffbot -v staffbot-data:/data --env-file .env staffbot
#
# The install steps are docker/build-steps.sh, which tests/test_docker_recipe.py also runs in a fresh
# venv. On the first start the bot itself builds the knowledge base from the seeds folder (its
# post_init ingests $STAFFBOT_SEEDS when $STAFFBOT_DB has no documents); later starts reuse it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STAFFBOT_DB=/data/staffbot.db \
    STAFFBOT_SEEDS=/app/seeds

WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY knowledge/ knowledge/
COPY bot/ bot/
COPY docker/ docker/
# gcc only while installing: it compiles knowledge/_bm25.c (the search's BM25 loops, ~2x faster
# searches on large knowledge bases; without it the same results come from numpy), then goes.
# Optional parts, comma-separated: meaning (matching by meaning, ~95 MB) is in by default, as in
# README's run command; docker build --build-arg EXTRAS= -t staffbot . matches by words only.
ARG EXTRAS="meaning"
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && EXTRAS="$EXTRAS" PYTHON=python sh docker/build-steps.sh \
    && apt-get purge -y --auto-remove gcc libc6-dev && rm -rf /var/lib/apt/lists/*
COPY seeds/ seeds/

# A system user without a login shell or home; it owns only the data volume.
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /data \
        --shell /usr/sbin/nologin staffbot \
    && mkdir -p /data && chown staffbot:staffbot /data
USER staffbot
WORKDIR /data
VOLUME /data

# Webhook mode only (STAFFBOT_WEBHOOK_URL set): publish with -p 8443:8443. Polling needs no port.
EXPOSE 8443

# Healthy once the knowledge base opens and has documents (the first start ingests the seeds).
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["staffbot", "run"]
