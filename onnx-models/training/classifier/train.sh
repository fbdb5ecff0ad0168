#!/usr/bin/env bash
# Rebuilds onnx-models/classifier/{prompt-refusal-head.onnx,manifest.json,metrics.json} and the
# C# test vectors from $REFUSALGATE_DATASETS, else ../shared/datasets beside the repository. Deterministic (fixed seeds, one thread).
# Needs Debian python3-numpy python3-scipy python3-sklearn python3-onnx python3-torch python3-yaml libopenblas0-pthread
# and the encoder build: scripts/setup.sh train installs both (idempotent, run first).
# Embeddings are cached in onnx-models/.work/classifier/ (delete it to recompute).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/../../../scripts/setup.sh" train
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONHASHSEED=0
exec /usr/bin/python3 "$here/train.py" "$@"
