# bizmap in a container: a slim Python image, the engine compiled by mypyc, run as a non-root
# user, with a health check on /healthz. Build and run:
#   docker build -t bizmap .
#   docker run -p 127.0.0.1:8000:8000 -v ./model:/etc/bizmap/model:ro -v bizmap-data:/var/lib/bizmap bizmap
# With PostgreSQL: deploy/compose.yaml. Tokens: docker exec CONTAINER bizmap token create ...

# --- build: the bizmap wheel (mypyc needs a C compiler) and the wheels of its dependencies ------
FROM python:3.11-slim-bookworm AS build
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY src ./src
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# --- run: no compiler, only the libraries WeasyPrint (PDF reports) needs ---------------------------
FROM python:3.11-slim-bookworm
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/bizmap --create-home bizmap \
    && mkdir -p /etc/bizmap/model
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels
USER 10001:10001
WORKDIR /var/lib/bizmap
VOLUME ["/var/lib/bizmap"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
ENTRYPOINT ["bizmap"]
# listen on every interface of the container: publish the port on 127.0.0.1 or behind a proxy
CMD ["serve", "/etc/bizmap/model", "--host", "0.0.0.0", "--port", "8000", "--db", "sqlite:////var/lib/bizmap/bizmap.db"]
