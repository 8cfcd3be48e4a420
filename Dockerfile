# threadbot in a small image: Python 3.11 slim, the package installed from this folder,
# run as an unprivileged user with the bot as the entry point. Settings come from the
# environment (see .env.example); docker-compose.yml runs two shards on PostgreSQL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip install . \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin threadbot \
    && mkdir -p /app/data \
    && chown threadbot: /app/data
COPY seeds ./seeds

USER threadbot
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
