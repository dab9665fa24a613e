# Writes a tiny visual.onnx + semantic.onnx for stream tests (not a trained model):
# visual: image [N,C,S,S] -> Flatten -> MatMul [C*S*S, E] -> [N,E]; semantic: vector [N,D] -> MatMul [D,E] -> [N,E].
import sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

out, C, S, E, D, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
rng = np.random.default_rng(seed)

def save(graph, path):
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="triage-stream-test")
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, path)

w = numpy_helper.from_array((rng.standard_normal((C * S * S, E)) / np.sqrt(C * S * S)).astype(np.float32), "w")
g = helper.make_graph(
    [helper.make_node("Flatten", ["image"], ["flat"], axis=1), helper.make_node("MatMul", ["flat", "w"], ["embedding"])],
    "visual", [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", C, S, S])],
    [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", E])], [w])
save(g, out + "/visual.onnx")

w2 = numpy_helper.from_array(rng.standard_normal((D, E)).astype(np.float32) / np.sqrt(D), "w2")
g2 = helper.make_graph(
    [helper.make_node("MatMul", ["vector", "w2"], ["projection"])],
    "semantic", [helper.make_tensor_value_info("vector", TensorProto.FLOAT, ["N", D])],
    [helper.make_tensor_value_info("projection", TensorProto.FLOAT, ["N", E])], [w2])
save(g2, out + "/semantic.onnx")
