package org.triage.stream.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One cluster of novel films as the clusterer keeps it: a running-mean centroid in the model's
 * shared space, its members (capped) and when it was first and last seen (film time). Mutable;
 * owned by the single clusterer task, persisted (changelogged) after every change.
 */
public final class NoveltyCluster {
    private static final byte FORMAT = 1;

    private final String id;
    private final String modelName;
    private final String modelVersion;
    private final float[] centroid;
    private int size;
    private final List<String> members;
    private final String firstPseudonym;
    private final long firstSeen;
    private long lastSeen;
    private float radius;
    private double sumSquaredJoinDistance;
    private boolean alerted;

    NoveltyCluster(String id, String modelName, String modelVersion, float[] centroid, int size, List<String> members,
                   String firstPseudonym, long firstSeen, long lastSeen, float radius, double sumSquaredJoinDistance, boolean alerted) {
        this.id = id;
        this.modelName = modelName;
        this.modelVersion = modelVersion;
        this.centroid = centroid;
        this.size = size;
        this.members = members;
        this.firstPseudonym = firstPseudonym;
        this.firstSeen = firstSeen;
        this.lastSeen = lastSeen;
        this.radius = radius;
        this.sumSquaredJoinDistance = sumSquaredJoinDistance;
        this.alerted = alerted;
    }

    /** A cluster of one: the film that no existing cluster is close enough to. */
    static NoveltyCluster seed(String id, String modelName, String modelVersion, String sop, String pseudonym, float[] vector, long time) {
        List<String> m = new ArrayList<>();
        m.add(sop);
        return new NoveltyCluster(id, modelName, modelVersion, vector.clone(), 1, m, pseudonym, time, time, 0f, 0.0, false);
    }

    /** Adds a member: the centroid moves to the mean of all members (incremental mean: no member vectors kept). */
    void add(String sop, float[] vector, long time, float distanceToOldCentroid, int memberCap) {
        size++;
        for (int i = 0; i < centroid.length; i++) {
            centroid[i] += (vector[i] - centroid[i]) / size;
        }
        if (members.size() < memberCap) {
            members.add(sop);
        }
        lastSeen = Math.max(lastSeen, time);
        radius = Math.max(radius, distanceToOldCentroid);
        sumSquaredJoinDistance += (double) distanceToOldCentroid * distanceToOldCentroid;
    }

    /** Root mean square of the members' distances to the centroid when they joined; NaN for a cluster of one. */
    public double spread() {
        return size < 2 ? Double.NaN : Math.sqrt(sumSquaredJoinDistance / (size - 1));
    }

    /**
     * Absorbs another cluster of the same model: sizes add, the centroid is the size-weighted mean,
     * the spread and radius account for the distance between the two centroids.
     */
    void absorb(NoveltyCluster other, float centroidDistance, int memberCap) {
        int total = size + other.size;
        for (int i = 0; i < centroid.length; i++) {
            centroid[i] = (centroid[i] * size + other.centroid[i] * other.size) / total;
        }
        sumSquaredJoinDistance += other.sumSquaredJoinDistance + (double) other.size * centroidDistance * centroidDistance;
        radius = Math.max(radius, other.radius + centroidDistance);
        size = total;
        for (String m : other.members) {
            if (members.size() >= memberCap) {
                break;
            }
            members.add(m);
        }
        lastSeen = Math.max(lastSeen, other.lastSeen);
        alerted |= other.alerted;
    }

    void markAlerted() {
        alerted = true;
    }

    public String id() {
        return id;
    }

    public String modelRef() {
        return modelName + ":" + modelVersion;
    }

    public String modelName() {
        return modelName;
    }

    public String modelVersion() {
        return modelVersion;
    }

    public float[] centroid() {
        return centroid.clone();
    }

    float[] centroidView() {
        return centroid;
    }

    public int size() {
        return size;
    }

    public List<String> members() {
        return List.copyOf(members);
    }

    public String firstPseudonym() {
        return firstPseudonym;
    }

    public long firstSeen() {
        return firstSeen;
    }

    public long lastSeen() {
        return lastSeen;
    }

    /** Largest distance of a member from the centroid as it stood when the member joined. */
    public float radius() {
        return radius;
    }

    public boolean alerted() {
        return alerted;
    }

    public byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + centroid.length * 4 + members.size() * 64);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(FORMAT);
            out.writeUTF(id);
            out.writeUTF(modelName);
            out.writeUTF(modelVersion);
            out.writeInt(centroid.length);
            for (float f : centroid) {
                out.writeFloat(f);
            }
            out.writeInt(size);
            out.writeInt(members.size());
            for (String m : members) {
                out.writeUTF(m);
            }
            out.writeUTF(firstPseudonym);
            out.writeLong(firstSeen);
            out.writeLong(lastSeen);
            out.writeFloat(radius);
            out.writeDouble(sumSquaredJoinDistance);
            out.writeBoolean(alerted);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads what {@link #encode} wrote; lengths are checked against what is left, never trusted to size an allocation. */
    public static NoveltyCluster decode(byte[] b) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("unknown cluster format " + format);
            }
            String id = in.readUTF();
            String name = in.readUTF();
            String version = in.readUTF();
            int dim = in.readInt();
            if (dim < 0 || dim > b.length / 4) {
                throw new IllegalArgumentException("corrupt cluster record: dimension " + dim);
            }
            float[] c = new float[dim];
            for (int i = 0; i < dim; i++) {
                c[i] = in.readFloat();
            }
            int size = in.readInt();
            int n = in.readInt();
            if (n < 0 || n > b.length / 2) {
                throw new IllegalArgumentException("corrupt cluster record: " + n + " members");
            }
            List<String> members = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                members.add(in.readUTF());
            }
            return new NoveltyCluster(id, name, version, c, size, members, in.readUTF(), in.readLong(), in.readLong(),
                    in.readFloat(), in.readDouble(), in.readBoolean());
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt cluster record: " + e, e);
        }
    }
}
