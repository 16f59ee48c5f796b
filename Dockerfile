# syntax=docker/dockerfile:1
# Multi-stage build: Node builds the UI, Go builds a static binary with it embedded, and a small
# non-root runtime image runs it. Every step here is also runnable outside Docker (`make build`).

FROM node:20-bookworm-slim AS ui
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=ui /src/frontend/dist ./frontend/dist
RUN CGO_ENABLED=0 go build -tags embedui -trimpath -ldflags='-s -w' -o /out/yueyuetan ./server \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/yueyuetan /usr/local/bin/yueyuetan
COPY --from=build --chown=65532:65532 /out/data /data
ENV YYT_ADDR=:8080 \
    YYT_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/yueyuetan", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/yueyuetan"]
CMD ["serve"]
