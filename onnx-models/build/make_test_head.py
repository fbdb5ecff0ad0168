"""Writes the tiny ONNX head used by the C# OnnxHead tests (tests/RefusalGate.Inference.Tests/TestData/linear-head.onnx):
input "features" float [batch, 4] -> outputs "logits" = features @ W + b  [batch, 2] and "probabilities" = sigmoid(logits).
Deterministic (fixed weights), a few hundred bytes: /usr/bin/python3 onnx-models/build/make_test_head.py
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))
target = os.path.join(here, "..", "..", "tests", "RefusalGate.Inference.Tests", "TestData", "linear-head.onnx")
weights = np.array([[1, -1], [0.5, 0.25], [-2, 0], [0, 3]], dtype=np.float32)
bias = np.array([0.1, -0.2], dtype=np.float32)
graph = helper.make_graph(
    [helper.make_node("MatMul", ["features", "W"], ["xw"]), helper.make_node("Add", ["xw", "b"], ["logits"]),
     helper.make_node("Sigmoid", ["logits"], ["probabilities"])],
    "linear_head",
    [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", 4])],
    [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 2]),
     helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 2])],
    [numpy_helper.from_array(weights, "W"), numpy_helper.from_array(bias, "b")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="refusalgate-test")
model.ir_version = 8
onnx.checker.check_model(model)
with open(target, "wb") as f:
    f.write(model.SerializeToString(deterministic=True))
print(target)
