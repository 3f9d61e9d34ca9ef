# syntax=docker/dockerfile:1
# copyhold: docker build -t copyhold . ; see docker-compose.yml to run it with PostgreSQL.

# 1. The browser app.
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci
COPY frontend/ ./
RUN npm run build

# 2. The binary, with the browser app embedded (frontend/dist).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=frontend /src/frontend/dist ./frontend/dist
ARG VERSION=dev
# make binary: the Makefile's build flags (static, stripped, -tags nomsgpack), the same as make build's.
RUN make binary VERSION=${VERSION} BIN=/copyhold \
 && mkdir /data /keys

# 3. Runtime: just the static binary (CA certificates and tzdata included).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /copyhold /copyhold
# COPYHOLD_DATA (SQLite when DATABASE_URL is unset): mount a volume on /data
# to keep it; the directory belongs to the nonroot user (65532).
COPY --from=build --chown=65532:65532 /data /data
# The register's signing key (COPYHOLD_REGISTER_KEY): keep it in a volume of
# its own on /keys, outside the database; `copyhold ledger keygen` makes it.
COPY --from=build --chown=65532:65532 /keys /keys
ENV COPYHOLD_ADDR=0.0.0.0:8080 \
    COPYHOLD_DATA=/data
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/copyhold"]
CMD ["serve"]
