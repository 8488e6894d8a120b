# syntax=docker/dockerfile:1
# bdt in a container: .ci/container.sh builds this image and checks it.
#
#   docker build --build-arg VERSION=$(git describe --always --dirty) \
#                --build-arg REVISION=$(git rev-parse HEAD) -t bdt .
#
# The build context has no .git (.dockerignore), so the version and revision
# `bdt version`, the logs and /metrics show come from these build arguments;
# SOURCE is the repository's URL, for the label.
ARG VERSION=(devel)
ARG REVISION=
ARG SOURCE=

# Build stage: cgo against libxml2 (the validator) and SQLite (the register).
FROM golang:1.26-bookworm AS build
ARG VERSION
ARG REVISION
RUN apt-get update && apt-get install -y --no-install-recommends gcc pkg-config libxml2-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -buildvcs=false \
      -ldflags="-s -w -X bdt/bdt/buildinfo.version=${VERSION} -X bdt/bdt/buildinfo.revision=${REVISION}" \
      -o /out/bdt ./cmd/bdt

# Runtime stage: only libxml2, CA certificates (for S3) and time zones, a
# non-root user (uid 10001) whose data folder /var/lib/bdt is the volume.
FROM debian:bookworm-slim
ARG VERSION
ARG REVISION
ARG SOURCE
LABEL org.opencontainers.image.title="bdt" \
      org.opencontainers.image.description="Bulk Data Transfer processor for the UK Sponsorship Management System" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
RUN apt-get update && apt-get install -y --no-install-recommends libxml2 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* \
    && groupadd --system --gid 10001 bdt \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /var/lib/bdt bdt \
    && install -d -o 10001 -g 10001 -m 0755 /var/lib/bdt
COPY --from=build /out/bdt /usr/local/bin/bdt
USER 10001
WORKDIR /var/lib/bdt
VOLUME /var/lib/bdt
# The admin endpoint of `bdt serve` (BDT_LISTEN; publish it with -p). bdt
# has no other port.
EXPOSE 9090
# `bdt healthcheck` asks /healthz at BDT_LISTEN's port, on loopback: no
# shell or curl in the image.
HEALTHCHECK --interval=30s --timeout=10s --start-period=10s --retries=3 \
    CMD ["bdt", "healthcheck", "--timeout", "5s"]
ENTRYPOINT ["bdt"]
CMD ["--help"]
