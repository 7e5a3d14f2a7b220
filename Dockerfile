# syntax=docker/dockerfile:1.7
# One image for every deployment: the command picks the entrypoint.
#   docker build -t one-gate-payment .
#   docker run --rm one-gate-payment auth|payment|transaction|migrate|admin [args]
# Non-root (UID 10001, group 0 so OpenShift's arbitrary UIDs can read it), read-only root
# filesystem friendly (writes only to /tmp), Node 24 runtime, no build tools or dev
# dependencies in the final stage.

ARG NODE_IMAGE=node:24-bookworm-slim

# 1. All dependencies, for compiling.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/postinstall.mjs scripts/postinstall.mjs
RUN npm ci --no-audit --no-fund

# 2. Compile TypeScript to dist/.
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src src
RUN npm run build

# 3. Production dependencies only (no dev tools; no embedded PostgreSQL binaries, which are
#    optional and only serve the laptop's embedded default).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/postinstall.mjs scripts/postinstall.mjs
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force

# 4. The runtime image.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    PORT=8080
WORKDIR /app
COPY --from=prod-deps --chown=10001:0 /app/node_modules ./node_modules
COPY --from=build --chown=10001:0 /app/dist ./dist
COPY --chown=10001:0 package.json ./
COPY --chmod=0755 <<'SCRIPT' /usr/local/bin/onegate
#!/bin/sh
# Picks the entrypoint; exec keeps node as PID 1 so it receives SIGTERM and drains.
set -e
entry="${1:-}"
[ "$#" -gt 0 ] && shift
case "$entry" in
  auth|payment|transaction|migrate|admin|all-in-one) exec node "/app/dist/entrypoints/$entry/main.js" "$@" ;;
  *) echo "usage: onegate auth|payment|transaction|migrate|admin|all-in-one [args]" >&2; exit 64 ;;
esac
SCRIPT
RUN chmod -R g=u /app
USER 10001:0
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/onegate"]
CMD ["auth"]
