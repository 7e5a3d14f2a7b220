#!/usr/bin/env bash
# Prints the directory that holds promtool (Prometheus's config and rule checker, used by
# tests/deploy). Uses the machine's when there is one; otherwise takes Debian's prometheus package
# and unpacks only its files into a cache, without installing or starting the Prometheus service.
set -euo pipefail
if command -v promtool >/dev/null 2>&1; then dirname "$(command -v promtool)"; exit 0; fi
CACHE="${PROMTOOL_CACHE_DIR:-$HOME/.cache/one-gate-payment/promtool}"
if [ ! -x "$CACHE/usr/bin/promtool" ]; then
  work="$(mktemp -d)"
  (cd "$work" && { apt-get download prometheus >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get download prometheus >/dev/null; }; })
  mkdir -p "$CACHE"
  dpkg-deb -x "$work"/prometheus_*.deb "$CACHE"
  rm -rf "$work"
fi
echo "$CACHE/usr/bin"
