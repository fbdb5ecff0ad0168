#!/usr/bin/env bash
# Rebuilds onnx-models/classifier/{prompt-refusal-head.onnx,manifest.json,metrics.json} and the
# C# test vectors from $REFUSALGATE_DATASETS, else ../shared/datasets beside the repository. Deterministic (fixed seeds, one thread).
# Needs: Debian python3-numpy python3-scipy python3-sklearn python3-onnx python3-torch python3-yaml,
# and the encoder build (onnx-models/build/fetch-encoder.sh; onnx-models/build/use_lite_torch.py).
# Embeddings are cached in onnx-models/.work/classifier/ (delete it to recompute).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONHASHSEED=0
exec /usr/bin/python3 "$here/train.py" "$@"
