package org.triage.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.triage.trainer.model.ModelInventory.ParamEntry;

/**
 * Adam with L2 weight decay added to the gradient (torch.optim.Adam semantics), over an explicit
 * parameter list, with its moment estimates saved beside each checkpoint so {@code --resume}
 * continues the exact optimisation (DJL's own optimizers keep their state private).
 * The update itself is DJL's fused {@code adamUpdate} kernel, as DJL's Adam uses it.
 */
final class AdamState {
    private final List<ParamEntry> params;
    private final List<NDArray> means = new ArrayList<>();
    private final List<NDArray> vars = new ArrayList<>();
    private final float beta1;
    private final float beta2;
    private final float eps;
    private long step;

    AdamState(NDManager manager, List<ParamEntry> trainable, double beta1, double beta2, double eps) {
        this.params = trainable;
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
        for (ParamEntry p : trainable) {
            NDArray w = p.parameter().getArray();
            means.add(manager.zeros(w.getShape(), w.getDataType()));
            vars.add(manager.zeros(w.getShape(), w.getDataType()));
        }
    }

    long step() {
        return step;
    }

    /** One update of every parameter from its gradient, then the gradient is zeroed. */
    void update(double lr, double weightDecay) {
        step++;
        double c1 = 1 - Math.pow(beta1, step);
        double c2 = 1 - Math.pow(beta2, step);
        float corrected = (float) (lr * Math.sqrt(c2) / c1);
        for (int i = 0; i < params.size(); i++) {
            NDArray w = params.get(i).parameter().getArray();
            NDArray g = w.getGradient();
            w.getNDArrayInternal().adamUpdate(new NDList(w, g, means.get(i), vars.get(i)), new NDList(w), (float) lr, corrected,
                    (float) weightDecay, 1f, -1f, beta1, beta2, eps, true, false);
            g.subi(g);
            g.close();
        }
    }

    /** Drops the gradients of a skipped step. Overwrites rather than subtracts: NaN - NaN is NaN. */
    void clearGradients() {
        for (ParamEntry p : params) {
            NDArray g = p.parameter().getArray().getGradient();
            try (NDArray zeros = g.zerosLike()) {
                zeros.copyTo(g);
            }
            g.close();
        }
    }

    void save(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeLong(step);
            out.writeInt(params.size());
            for (int i = 0; i < params.size(); i++) {
                writeArray(out, means.get(i));
                writeArray(out, vars.get(i));
            }
        }
    }

    void load(Path file, NDManager manager) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            long s = in.readLong();
            int n = in.readInt();
            if (n != params.size()) {
                throw new IOException(file + " holds optimizer state for " + n + " parameters, the model has " + params.size());
            }
            for (int i = 0; i < n; i++) {
                replace(means, i, readArray(in, manager));
                replace(vars, i, readArray(in, manager));
            }
            step = s;
        }
    }

    private void replace(List<NDArray> list, int i, NDArray a) throws IOException {
        if (!a.getShape().equals(list.get(i).getShape())) {
            throw new IOException("optimizer state shape " + a.getShape() + " does not match parameter " + params.get(i).path());
        }
        list.get(i).close();
        list.set(i, a);
    }

    private static void writeArray(DataOutputStream out, NDArray a) throws IOException {
        byte[] b = a.encode();
        out.writeInt(b.length);
        out.write(b);
    }

    private static NDArray readArray(DataInputStream in, NDManager manager) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > (1 << 30)) {
            throw new IOException("corrupt optimizer state (array of " + len + " bytes)");
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return NDArray.decode(manager, b);
    }
}
