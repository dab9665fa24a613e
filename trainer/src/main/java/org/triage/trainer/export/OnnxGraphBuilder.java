package org.triage.trainer.export;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.triage.trainer.export.onnx.AttributeProto;
import org.triage.trainer.export.onnx.GraphProto;
import org.triage.trainer.export.onnx.ModelProto;
import org.triage.trainer.export.onnx.NodeProto;
import org.triage.trainer.export.onnx.OperatorSetIdProto;
import org.triage.trainer.export.onnx.StringStringEntryProto;
import org.triage.trainer.export.onnx.TensorProto;
import org.triage.trainer.export.onnx.TensorShapeProto;
import org.triage.trainer.export.onnx.TypeProto;
import org.triage.trainer.export.onnx.ValueInfoProto;

/**
 * Builds one ONNX graph: float inputs/outputs whose first dim is the symbolic batch {@link #BATCH},
 * weights as float initializers (little-endian raw_data, as ONNX requires), and nodes of the default
 * domain at opset {@link #OPSET}. Tensor names are unique within the graph ({@link #fresh}).
 *
 * <p>Opset 17 / IR version 8: the newest pair the python onnx checker installed in CI (onnx 1.12)
 * knows, and supported by ONNX Runtime 1.23. Every op the exporter emits (Conv, BatchNormalization,
 * Relu, LeakyRelu, MaxPool, AveragePool, GlobalAveragePool, Flatten, Concat, Add, Gemm) is
 * unchanged in semantics between opset 13 and 17.
 */
public final class OnnxGraphBuilder {
    public static final int OPSET = 17;
    public static final long IR_VERSION = 8;
    public static final String BATCH = "N";

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private final List<String> docs = new ArrayList<>();
    private int counter;

    public OnnxGraphBuilder(String graphName) {
        graph.setName(graphName);
    }

    /** A new tensor name, unique in this graph, derived from {@code hint}. */
    public String fresh(String hint) {
        String base = hint.replaceAll("[^A-Za-z0-9_.:/-]", "_");
        String name = base;
        while (!names.add(name)) {
            name = base + "_" + (++counter);
        }
        return name;
    }

    /** Graph input of float elements; {@code dims[i] < 0} means the symbolic batch dim. */
    public OnnxGraphBuilder input(String name, long... dims) {
        claim(name);
        graph.addInput(valueInfo(name, dims));
        return this;
    }

    public OnnxGraphBuilder output(String name, long... dims) {
        graph.addOutput(valueInfo(name, dims));
        return this;
    }

    /** A float initializer (a weight), stored as raw little-endian bytes; returns its name. */
    public String initializer(String hint, float[] data, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("initializer " + hint + ": dims hold " + n + " values, data has " + data.length);
        }
        String name = fresh(hint);
        ByteBuffer buf = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(buf.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    /** Adds a node with one output named after {@code outputHint}; returns the output's name. */
    public String node(String opType, String outputHint, List<String> inputs, AttributeProto... attributes) {
        String out = fresh(outputHint);
        NodeProto.Builder n = NodeProto.newBuilder()
                .setOpType(opType)
                .setName(fresh("node/" + out))
                .addAllInput(inputs)
                .addOutput(out);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return out;
    }

    /** Renames the last node's output (used to give the graph output a stable name). */
    public void renameLastOutput(String from, String to) {
        int last = graph.getNodeCount() - 1;
        NodeProto n = graph.getNode(last);
        if (n.getOutputCount() != 1 || !n.getOutput(0).equals(from)) {
            throw new IllegalStateException("last node does not produce " + from);
        }
        claim(to);
        graph.setNode(last, n.toBuilder().setOutput(0, to));
    }

    public void doc(String line) {
        docs.add(line);
    }

    public int nodeCount() {
        return graph.getNodeCount();
    }

    public ModelProto build(String producerVersion, List<StringStringEntryProto> metadata) {
        graph.setDocString(String.join("\n", docs));
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("triage-trainer")
                .setProducerVersion(producerVersion)
                .setGraph(graph)
                .addAllMetadataProps(metadata)
                .build();
    }

    private void claim(String name) {
        if (!names.add(name)) {
            throw new IllegalArgumentException("tensor name already used: " + name);
        }
    }

    private static ValueInfoProto valueInfo(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0
                    ? TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
                .build();
    }

    // Attribute helpers.

    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    public static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    public static StringStringEntryProto meta(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
