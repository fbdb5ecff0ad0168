"""Builds the head as an ONNX graph by hand (onnx.helper, opset 17): small, deterministic, and
readable with Netron. `forward` is the same computation in numpy float32; the C# test vectors
are produced with it, and the card's metrics come from it.

Inputs : embedding [B,512] float32       (L2-normalised USE-lite sentence embedding of the prompt)
         tail_embedding [B,512] float32  (the same for the prompt's tail, common.text.prompt_tail; read by the
                                          refusal MLP and the category head; the exemplars use the whole prompt)
Outputs: refusal_probability [B]        calibrated, shrunk toward the decision threshold out of distribution
         category_probabilities [B,C]   P(refused and category c) = refusal_probability * P(c | refused)
         in_distribution [B]            the shrink factor g in [0,1] (1 = like the training data)
         max_similarity [B]             max cosine to the training exemplars
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def forward(x, x_tail, head, cal, exemplars, cat_head):
    x = x.astype(np.float32)
    features = np.concatenate([x, x_tail.astype(np.float32)], axis=1)
    logit = head.logit(features).reshape(-1, 1).astype(np.float32)
    p = 1.0 / (1.0 + np.exp(-(logit * np.float32(cal.inv_t) + np.float32(cal.bias))))
    sim = (x @ exemplars.T).max(axis=1, keepdims=True)
    z_g = (sim - np.float32(cal.s0)) * np.float32(cal.a)
    if cal.d:
        wrap = np.float32(1.0) - np.sum(x * x_tail.astype(np.float32), axis=1, keepdims=True)
        z_g = z_g - wrap * np.float32(cal.d)
    g = 1.0 / (1.0 + np.exp(-z_g))
    pf = (p - np.float32(cal.target)) * g + np.float32(cal.target)
    z = features @ cat_head.W + cat_head.b
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    cat = e / e.sum(axis=1, keepdims=True)
    return {
        "refusal_probability": pf.reshape(-1).astype(np.float32),
        "category_probabilities": (cat * pf).astype(np.float32),
        "in_distribution": g.reshape(-1).astype(np.float32),
        "max_similarity": sim.reshape(-1).astype(np.float32),
    }


def _head_nodes(head, n):
    """Initialisers and nodes computing `logit` [B,1] from `features` (embedding ‖ tail_embedding): linear, or one
    hidden ReLU layer."""
    if hasattr(head, "W1"):
        inits = [
            numpy_helper.from_array(head.W1.astype(np.float32), "hidden_weight"),
            numpy_helper.from_array(head.b1.astype(np.float32), "hidden_bias"),
            numpy_helper.from_array(head.w2.reshape(-1, 1).astype(np.float32), "refusal_weight"),
            numpy_helper.from_array(np.array([head.b2], np.float32), "refusal_bias"),
        ]
        nodes = [
            n("MatMul", ["features", "hidden_weight"], ["hidden_raw"]),
            n("Add", ["hidden_raw", "hidden_bias"], ["hidden_pre"]),
            n("Relu", ["hidden_pre"], ["hidden"]),
            n("MatMul", ["hidden", "refusal_weight"], ["logit_raw"]),
            n("Add", ["logit_raw", "refusal_bias"], ["logit"]),
        ]
        return inits, nodes
    dim = head.w.shape[0]
    inits = [
        numpy_helper.from_array(head.w.reshape(dim, 1).astype(np.float32), "refusal_weight"),
        numpy_helper.from_array(np.array([head.b], np.float32), "refusal_bias"),
    ]
    nodes = [
        n("MatMul", ["features", "refusal_weight"], ["logit_raw"]),
        n("Add", ["logit_raw", "refusal_bias"], ["logit"]),
    ]
    return inits, nodes


def _wrapper_nodes(cal, n, inits):
    """shrink_logit = sim_scaled − d · (1 − embedding·tail_embedding); nothing without a wrapper slope (the shrink
    then reads sim_scaled, and the graph is the one shipped before the experiment)."""
    if not cal.d:
        return []
    inits += [
        numpy_helper.from_array(np.array([cal.d], np.float32), "wrapper_slope"),
        numpy_helper.from_array(np.array([1.0], np.float32), "one"),
        numpy_helper.from_array(np.array([1], np.int64), "row_axis"),
    ]
    return [
        n("Mul", ["embedding", "tail_embedding"], ["tail_products"]),
        n("ReduceSum", ["tail_products", "row_axis"], ["tail_cosine"], keepdims=1),
        n("Sub", ["one", "tail_cosine"], ["wrapper_distance"]),
        n("Mul", ["wrapper_distance", "wrapper_slope"], ["wrapper_scaled"]),
        n("Sub", ["sim_scaled", "wrapper_scaled"], ["shrink_logit"]),
    ]


def build(head, cal, exemplars, cat_head, categories, path):
    dim = exemplars.shape[1]
    c = len(categories)
    n = helper.make_node
    head_inits, head_nodes = _head_nodes(head, n)
    inits = head_inits + [
        numpy_helper.from_array(np.array([cal.inv_t], np.float32), "inv_temperature"),
        numpy_helper.from_array(np.array([cal.bias], np.float32), "calibration_bias"),
        numpy_helper.from_array(np.array([cal.a], np.float32), "shrink_slope"),
        numpy_helper.from_array(np.array([cal.s0], np.float32), "shrink_center"),
        numpy_helper.from_array(np.array([cal.target], np.float32), "shrink_target"),
        numpy_helper.from_array(np.ascontiguousarray(exemplars.T.astype(np.float32)), "exemplars_t"),
        numpy_helper.from_array(cat_head.W.astype(np.float32), "category_weight"),
        numpy_helper.from_array(cat_head.b.astype(np.float32), "category_bias"),
        numpy_helper.from_array(np.array([-1], np.int64), "flat_shape"),
    ]
    nodes = [n("Concat", ["embedding", "tail_embedding"], ["features"], axis=1)] + head_nodes + [
        n("Mul", ["logit", "inv_temperature"], ["logit_scaled"]),
        n("Add", ["logit_scaled", "calibration_bias"], ["logit_calibrated"]),
        n("Sigmoid", ["logit_calibrated"], ["p_calibrated"]),
        n("MatMul", ["embedding", "exemplars_t"], ["similarities"]),
        n("ReduceMax", ["similarities"], ["max_sim_col"], axes=[1], keepdims=1),
        n("Sub", ["max_sim_col", "shrink_center"], ["sim_centered"]),
        n("Mul", ["sim_centered", "shrink_slope"], ["sim_scaled"]),
    ] + _wrapper_nodes(cal, n, inits) + [
        n("Sigmoid", ["shrink_logit" if cal.d else "sim_scaled"], ["g_col"]),
        n("Sub", ["p_calibrated", "shrink_target"], ["p_centered"]),
        n("Mul", ["p_centered", "g_col"], ["p_shrunk"]),
        n("Add", ["p_shrunk", "shrink_target"], ["p_col"]),
        n("Reshape", ["p_col", "flat_shape"], ["refusal_probability"]),
        n("Reshape", ["g_col", "flat_shape"], ["in_distribution"]),
        n("Reshape", ["max_sim_col", "flat_shape"], ["max_similarity"]),
        n("MatMul", ["features", "category_weight"], ["category_logit_raw"]),
        n("Add", ["category_logit_raw", "category_bias"], ["category_logit"]),
        n("Softmax", ["category_logit"], ["category_given_refusal"], axis=1),
        n("Mul", ["category_given_refusal", "p_col"], ["category_probabilities"]),
    ]
    graph = helper.make_graph(
        nodes,
        "prompt_refusal_head",
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", dim]),
         helper.make_tensor_value_info("tail_embedding", TensorProto.FLOAT, ["batch", dim])],
        [
            helper.make_tensor_value_info("refusal_probability", TensorProto.FLOAT, ["batch"]),
            helper.make_tensor_value_info("category_probabilities", TensorProto.FLOAT, ["batch", c]),
            helper.make_tensor_value_info("in_distribution", TensorProto.FLOAT, ["batch"]),
            helper.make_tensor_value_info("max_similarity", TensorProto.FLOAT, ["batch"]),
        ],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="refusalgate-train-classifier", producer_version="1")
    model.ir_version = 8
    model.doc_string = "RefusalGate prompt refusal head. Categories: " + ",".join(categories)
    onnx.checker.check_model(model)
    onnx.save(model, path)
