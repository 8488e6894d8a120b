# syntax=docker/dockerfile:1
# Build stage: cgo against libxml2 (the validator) and SQLite (the register).
FROM golang:1.26-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc pkg-config libxml2-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/bdt ./cmd/bdt

# Runtime stage: only libxml2 and CA certificates (for S3), a non-root user.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libxml2 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/bdt --create-home bdt
COPY --from=build /out/bdt /usr/local/bin/bdt
USER bdt
WORKDIR /var/lib/bdt
ENTRYPOINT ["bdt"]
CMD ["--help"]
