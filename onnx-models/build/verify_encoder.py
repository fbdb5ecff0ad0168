"""Checks the built ONNX graph against the torch port and against TF.js reference embeddings.

    /usr/bin/python3 onnx-models/build/verify_encoder.py [--onnx FILE] [--reference embedding-vectors.json]

The ONNX graph is evaluated by a small numpy interpreter of the operators convert_to_onnx.py emits
(no onnxruntime for Python here); ONNX Runtime itself is exercised by the C# tests
(tests/RefusalGate.Inference.Tests), which compare against the same reference file.
Exits non-zero when the max abs difference exceeds --tolerance (default 1e-5).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)


def _attrs(node) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def run_onnx_numpy(model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    values = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    values.update(feeds)
    for node in model.graph.node:
        a = _attrs(node)
        x = [values[i] for i in node.input]
        t = node.op_type
        if t == "Shape":
            out = [np.array(x[0].shape, dtype=np.int64)]
        elif t == "Gather":
            out = [np.take(x[0], x[1], axis=a.get("axis", 0))]
        elif t == "Range":
            out = [np.arange(x[0], x[1], x[2], dtype=x[0].dtype)]
        elif t == "Unsqueeze":
            r = x[0]
            for ax in sorted(int(v) for v in x[1]):
                r = np.expand_dims(r, ax)
            out = [r]
        elif t == "Less":
            out = [x[0] < x[1]]
        elif t == "Cast":
            out = [x[0].astype({1: np.float32, 7: np.int64}[a["to"]])]
        elif t in ("Add", "Sub", "Mul", "Div", "Pow", "Max"):
            f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide, "Pow": np.power, "Max": np.maximum}[t]
            out = [f(x[0], x[1]).astype(np.result_type(x[0].dtype, x[1].dtype) if t != "Pow" else x[0].dtype)]
        elif t in ("Sin", "Cos", "Sqrt", "Tanh", "Abs"):
            out = [{"Sin": np.sin, "Cos": np.cos, "Sqrt": np.sqrt, "Tanh": np.tanh, "Abs": np.abs}[t](x[0])]
        elif t == "ReduceMax":
            out = [x[0].max(axis=tuple(a["axes"]), keepdims=bool(a.get("keepdims", 1)))]
        elif t == "ConstantOfShape":
            out = [np.full(tuple(int(v) for v in x[0]), numpy_helper.to_array(a["value"])[0])]
        elif t == "QuantizeLinear":  # per-axis, as the int8 graph uses it: one scale and zero point per row
            axis = a.get("axis", 1)
            shape = [1] * x[0].ndim
            shape[axis] = -1
            scaled = np.round(x[0] / x[1].reshape(shape)) + x[2].reshape(shape).astype(np.float32)
            out = [np.clip(scaled, 0, 255).astype(np.uint8)]
        elif t == "MatMulIntegerToFloat":  # com.microsoft: (A - a_zp)(B - b_zp) * a_scale * b_scale
            a_int = x[0].astype(np.int32) - x[4].astype(np.int32)
            b_int = x[1].astype(np.int32) - x[5].astype(np.int32)
            out = [(np.matmul(a_int, b_int).astype(np.float32) * x[2] * x[3]).astype(np.float32)]
        elif t == "Slice":
            out = [x[0][int(x[1][0]):int(x[2][0])]]
        elif t == "Relu":
            out = [np.maximum(x[0], 0)]
        elif t == "Concat":
            out = [np.concatenate(x, axis=a["axis"])]
        elif t == "ReduceMean":
            out = [x[0].mean(axis=tuple(a["axes"]), keepdims=bool(a.get("keepdims", 1)))]
        elif t == "ReduceSum":
            out = [x[0].sum(axis=tuple(int(v) for v in x[1]), keepdims=bool(a.get("keepdims", 1)))]
        elif t == "MatMul":
            out = [np.matmul(x[0], x[1])]
        elif t == "Split":
            out = np.split(x[0], np.cumsum(x[1])[:-1], axis=a.get("axis", 0))
        elif t == "Reshape":
            shape = [x[0].shape[i] if s == 0 else s for i, s in enumerate(x[1])]
            out = [x[0].reshape(shape)]
        elif t == "Transpose":
            out = [x[0].transpose(a["perm"])]
        elif t == "Softmax":
            z = x[0] - x[0].max(axis=a.get("axis", -1), keepdims=True)
            e = np.exp(z)
            out = [e / e.sum(axis=a.get("axis", -1), keepdims=True)]
        else:
            raise NotImplementedError(t)
        for name, value in zip(node.output, out):
            values[name] = value
    return {o.name: values[o.name] for o in model.graph.output}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--onnx", default=os.path.join(here, "..", "encoder", "use-lite.onnx"))
    parser.add_argument("--reference", default=os.path.join(here, "..", "..", "tests", "RefusalGate.Inference.Tests", "TestData", "embedding-vectors.json"))
    parser.add_argument("--tolerance", type=float, default=1e-5)
    parser.add_argument("--int8", action="store_true", help="check use-lite.int8.onnx: report the cosine to TF.js instead")
    args = parser.parse_args()

    import torch
    torch.set_num_threads(1)
    from use_lite_torch import _default_model

    if args.int8 and args.onnx.endswith("use-lite.onnx"):
        args.onnx = args.onnx[: -len("use-lite.onnx")] + "use-lite.int8.onnx"
    model = onnx.load(args.onnx)
    torch_model, tokenizer = _default_model()
    with open(args.reference, encoding="utf-8") as f:
        reference = [r for r in json.load(f)["vectors"] if r.get("tfjs_full")]
    worst_tfjs = worst_torch = 0.0
    # One padded batch through the ONNX graph: also shows padding does not change any row.
    ids_list = [r["ids"] for r in reference]
    width = max(len(i) for i in ids_list) + 3
    ids = np.zeros((len(ids_list), width), dtype=np.int64)
    for row, tokens in enumerate(ids_list):
        ids[row, :len(tokens)] = tokens
    lengths = np.array([len(t) for t in ids_list], dtype=np.int64)
    onnx_out = run_onnx_numpy(model, {"token_ids": ids, "lengths": lengths})["embedding"]
    with torch.no_grad():
        torch_out = torch_model(torch.from_numpy(ids), torch.from_numpy(lengths)).numpy()
    for row, r in enumerate(reference):
        tfjs = np.array(r["tfjs_full"], dtype=np.float32)
        worst_tfjs = max(worst_tfjs, float(np.abs(onnx_out[row] - tfjs).max()))
        worst_torch = max(worst_torch, float(np.abs(onnx_out[row] - torch_out[row]).max()))
    if args.int8:
        cosines = [float(np.dot(onnx_out[row], np.array(r["tfjs_full"], dtype=np.float32))) for row, r in enumerate(reference)]
        print(f"int8 ONNX (numpy evaluation) vs TF.js: max abs diff {worst_tfjs:.3e}, min cosine {min(cosines):.5f}, mean cosine {np.mean(cosines):.5f}")
        ok = min(cosines) >= 0.995
        print("OK" if ok else "FAILED")
        return 0 if ok else 1
    print(f"ONNX (numpy evaluation) vs TF.js: max abs diff {worst_tfjs:.3e} over {len(reference)} sentences")
    print(f"ONNX (numpy evaluation) vs torch: max abs diff {worst_torch:.3e}")
    ok = worst_tfjs <= args.tolerance and worst_torch <= args.tolerance
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
