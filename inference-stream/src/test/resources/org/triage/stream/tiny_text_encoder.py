# Writes a tiny ONNX "sentence encoder" for the prototypes tests (not a trained model):
# input_ids [1, seq] int64 (+ attention_mask [1, seq] int64, taken like a real transformer's but unused)
# -> Gather(table [V, D], input_ids) -> last_hidden_state [1, seq, D]. Also writes table.json (the V x D table)
# so that the test can compute the pooled vector itself.
import json
import sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

out, V, D, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
table = np.random.default_rng(seed).standard_normal((V, D)).astype(np.float32)
g = helper.make_graph(
    [helper.make_node("Gather", ["table", "input_ids"], ["last_hidden_state"], axis=0)],
    "tiny_text_encoder",
    [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, "seq"]),
     helper.make_tensor_value_info("attention_mask", TensorProto.INT64, [1, "seq"])],
    [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [1, "seq", D])],
    [numpy_helper.from_array(table, "table")])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="triage-stream-test")
m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, out + "/model.onnx")
with open(out + "/table.json", "w") as f:
    json.dump(table.astype(float).tolist(), f)
