package org.triage.ingest.dicom;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** DICOM upper layer PDUs (PS3.8 section 9): encoding, and strictly bounded decoding. */
public final class UpperLayer {
    public static final int A_ASSOCIATE_RQ = 0x01;
    public static final int A_ASSOCIATE_AC = 0x02;
    public static final int A_ASSOCIATE_RJ = 0x03;
    public static final int P_DATA_TF = 0x04;
    public static final int A_RELEASE_RQ = 0x05;
    public static final int A_RELEASE_RP = 0x06;
    public static final int A_ABORT = 0x07;

    /** Upper bound for association PDUs: dozens of presentation contexts fit comfortably. */
    public static final int MAX_ASSOCIATE_PDU = 1 << 16;

    /** A received PDU. */
    public record Pdu(int type, byte[] body) {
    }

    /** One proposed presentation context. */
    public record PresentationContext(int id, String abstractSyntax, List<String> transferSyntaxes) {
    }

    /** Result of one presentation context in an A-ASSOCIATE-AC (0 = acceptance). */
    public record PresentationResult(int id, int result, String transferSyntax) {
    }

    /** A parsed A-ASSOCIATE-RQ or -AC. */
    public record Associate(String calledAet, String callingAet, String applicationContext,
                            List<PresentationContext> contexts, List<PresentationResult> results, long maxPduLength,
                            String implementationClassUid) {
    }

    private UpperLayer() {
    }

    /**
     * Reads one PDU whose variable part may be at most {@code maxLength} bytes; the length is
     * checked before the body is allocated. Returns null at a clean end of stream.
     */
    public static Pdu read(InputStream in, long maxLength) throws IOException, PduException {
        DataInputStream din = in instanceof DataInputStream d ? d : new DataInputStream(in);
        int type = din.read();
        if (type < 0) {
            return null;
        }
        din.readUnsignedByte();
        long length = din.readInt() & 0xFFFFFFFFL;
        if (type < A_ASSOCIATE_RQ || type > A_ABORT) {
            throw new PduException(String.format("unrecognized PDU type 0x%02X", type), 1);
        }
        long limit = type == A_ASSOCIATE_RQ || type == A_ASSOCIATE_AC ? MAX_ASSOCIATE_PDU : type == P_DATA_TF ? maxLength : 64;
        if (length > limit) {
            throw new PduException(String.format("PDU type 0x%02X declares %d bytes, more than the %d allowed", type, length, limit), 6);
        }
        byte[] body = new byte[(int) length];
        din.readFully(body);
        return new Pdu(type, body);
    }

    public static Associate parseAssociate(byte[] body, boolean request) throws PduException {
        try {
            ByteBuffer bb = ByteBuffer.wrap(body);
            int version = bb.getShort() & 0xFFFF;
            if ((version & 1) == 0) {
                throw new PduException("unsupported protocol version " + version, 6);
            }
            bb.getShort();
            String called = ae(bb);
            String calling = ae(bb);
            bb.position(bb.position() + 32);
            String appContext = null;
            List<PresentationContext> pcs = new ArrayList<>();
            List<PresentationResult> results = new ArrayList<>();
            long maxPdu = 0;
            String implClass = null;
            while (bb.hasRemaining()) {
                int itemType = bb.get() & 0xFF;
                bb.get();
                int len = bb.getShort() & 0xFFFF;
                ByteBuffer item = slice(bb, len);
                switch (itemType) {
                    case 0x10 -> appContext = text(item, len);
                    case 0x20 -> pcs.add(parsePcRq(item));
                    case 0x21 -> results.add(parsePcAc(item));
                    case 0x50 -> {
                        while (item.hasRemaining()) {
                            int subType = item.get() & 0xFF;
                            item.get();
                            int subLen = item.getShort() & 0xFFFF;
                            ByteBuffer sub = slice(item, subLen);
                            if (subType == 0x51 && subLen == 4) {
                                maxPdu = sub.getInt() & 0xFFFFFFFFL;
                            } else if (subType == 0x52) {
                                implClass = text(sub, subLen);
                            }
                        }
                    }
                    default -> {
                        // Unknown items are skipped (PS3.8 9.3.1 allows later extensions).
                    }
                }
            }
            if (appContext == null) {
                throw new PduException("A-ASSOCIATE without application context", 6);
            }
            if (request && pcs.isEmpty()) {
                throw new PduException("A-ASSOCIATE-RQ without presentation contexts", 6);
            }
            return new Associate(called, calling, appContext, pcs, results, maxPdu, implClass);
        } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new PduException("malformed A-ASSOCIATE PDU", 6);
        }
    }

    private static PresentationContext parsePcRq(ByteBuffer item) {
        int id = item.get() & 0xFF;
        item.get();
        item.get();
        item.get();
        String abs = null;
        List<String> ts = new ArrayList<>();
        while (item.hasRemaining()) {
            int t = item.get() & 0xFF;
            item.get();
            int l = item.getShort() & 0xFFFF;
            ByteBuffer sub = slice(item, l);
            if (t == 0x30) {
                abs = text(sub, l);
            } else if (t == 0x40) {
                ts.add(text(sub, l));
            }
        }
        if (abs == null) {
            throw new IllegalArgumentException("no abstract syntax");
        }
        return new PresentationContext(id, abs, ts);
    }

    private static PresentationResult parsePcAc(ByteBuffer item) {
        int id = item.get() & 0xFF;
        item.get();
        int result = item.get() & 0xFF;
        item.get();
        String ts = null;
        while (item.hasRemaining()) {
            int t = item.get() & 0xFF;
            item.get();
            int l = item.getShort() & 0xFFFF;
            ByteBuffer sub = slice(item, l);
            if (t == 0x40) {
                ts = text(sub, l);
            }
        }
        return new PresentationResult(id, result, ts);
    }

    private static ByteBuffer slice(ByteBuffer bb, int len) {
        if (len > bb.remaining()) {
            throw new BufferUnderflowException();
        }
        ByteBuffer s = bb.slice(bb.position(), len);
        bb.position(bb.position() + len);
        return s;
    }

    private static String ae(ByteBuffer bb) {
        byte[] b = new byte[16];
        bb.get(b);
        return new String(b, StandardCharsets.US_ASCII).trim();
    }

    private static String text(ByteBuffer bb, int len) {
        byte[] b = new byte[len];
        bb.get(b);
        String s = new String(b, StandardCharsets.US_ASCII);
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\0' || s.charAt(end - 1) == ' ')) {
            end--;
        }
        return s.substring(0, end);
    }

    // ---- encoding ----

    public static void writeAssociateRq(OutputStream out, String calling, String called, List<PresentationContext> pcs, int maxPdu)
            throws IOException {
        ByteArrayOutputStream items = new ByteArrayOutputStream();
        item(items, 0x10, ascii(Uids.APPLICATION_CONTEXT));
        for (PresentationContext pc : pcs) {
            ByteArrayOutputStream sub = new ByteArrayOutputStream();
            sub.write(pc.id());
            sub.write(0);
            sub.write(0);
            sub.write(0);
            item(sub, 0x30, ascii(pc.abstractSyntax()));
            for (String ts : pc.transferSyntaxes()) {
                item(sub, 0x40, ascii(ts));
            }
            item(items, 0x20, sub.toByteArray());
        }
        item(items, 0x50, userInfo(maxPdu));
        writeAssociate(out, A_ASSOCIATE_RQ, called, calling, items.toByteArray());
    }

    public static void writeAssociateAc(OutputStream out, Associate rq, List<PresentationResult> results, int maxPdu) throws IOException {
        ByteArrayOutputStream items = new ByteArrayOutputStream();
        item(items, 0x10, ascii(Uids.APPLICATION_CONTEXT));
        for (PresentationResult r : results) {
            ByteArrayOutputStream sub = new ByteArrayOutputStream();
            sub.write(r.id());
            sub.write(0);
            sub.write(r.result());
            sub.write(0);
            // PS3.8 9.3.3.2: the transfer syntax sub-item is present but not significant when rejected.
            item(sub, 0x40, ascii(r.transferSyntax() == null ? Uids.IMPLICIT_VR_LE : r.transferSyntax()));
            item(items, 0x21, sub.toByteArray());
        }
        item(items, 0x50, userInfo(maxPdu));
        writeAssociate(out, A_ASSOCIATE_AC, rq.calledAet(), rq.callingAet(), items.toByteArray());
    }

    private static byte[] userInfo(int maxPdu) {
        ByteArrayOutputStream ui = new ByteArrayOutputStream();
        item(ui, 0x51, new byte[] {(byte) (maxPdu >>> 24), (byte) (maxPdu >>> 16), (byte) (maxPdu >>> 8), (byte) maxPdu});
        item(ui, 0x52, ascii(Uids.IMPLEMENTATION_CLASS_UID));
        item(ui, 0x55, ascii(Uids.IMPLEMENTATION_VERSION));
        return ui.toByteArray();
    }

    private static void writeAssociate(OutputStream out, int type, String called, String calling, byte[] items) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0);
        body.write(1); // protocol version 1
        body.write(0);
        body.write(0);
        body.writeBytes(aePadded(called));
        body.writeBytes(aePadded(calling));
        body.writeBytes(new byte[32]);
        body.writeBytes(items);
        writePdu(out, type, body.toByteArray());
    }

    public static void writeAssociateRj(OutputStream out, int result, int source, int reason) throws IOException {
        writePdu(out, A_ASSOCIATE_RJ, new byte[] {0, (byte) result, (byte) source, (byte) reason});
    }

    public static void writeReleaseRq(OutputStream out) throws IOException {
        writePdu(out, A_RELEASE_RQ, new byte[4]);
    }

    public static void writeReleaseRp(OutputStream out) throws IOException {
        writePdu(out, A_RELEASE_RP, new byte[4]);
    }

    /** source 0 = service user, 2 = service provider. */
    public static void writeAbort(OutputStream out, int source, int reason) throws IOException {
        writePdu(out, A_ABORT, new byte[] {0, 0, (byte) source, (byte) reason});
    }

    /**
     * Sends a command or dataset as P-DATA-TF PDUs no larger than the peer's maximum
     * (0 = no limit, PS3.8 D.1; we still cap at 1 MiB to keep our buffers small).
     */
    public static void writePData(OutputStream out, int pcId, boolean command, byte[] data, long peerMaxPdu) throws IOException {
        long max = peerMaxPdu == 0 ? 1 << 20 : Math.min(peerMaxPdu, 1 << 20);
        int chunk = (int) Math.max(1, max - 6);
        int pos = 0;
        do {
            int n = Math.min(chunk, data.length - pos);
            boolean last = pos + n >= data.length;
            int pdvLen = n + 2;
            ByteArrayOutputStream body = new ByteArrayOutputStream(n + 6);
            body.write(pdvLen >>> 24);
            body.write(pdvLen >>> 16);
            body.write(pdvLen >>> 8);
            body.write(pdvLen);
            body.write(pcId);
            body.write((command ? 1 : 0) | (last ? 2 : 0));
            body.write(data, pos, n);
            writePdu(out, P_DATA_TF, body.toByteArray());
            pos += n;
        } while (pos < data.length);
        out.flush();
    }

    private static void writePdu(OutputStream out, int type, byte[] body) throws IOException {
        byte[] h = {(byte) type, 0, (byte) (body.length >>> 24), (byte) (body.length >>> 16), (byte) (body.length >>> 8), (byte) body.length};
        out.write(h);
        out.write(body);
        out.flush();
    }

    private static void item(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(0);
        out.write(value.length >>> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] aePadded(String ae) {
        byte[] b = new byte[16];
        java.util.Arrays.fill(b, (byte) ' ');
        byte[] s = ascii(ae);
        System.arraycopy(s, 0, b, 0, Math.min(16, s.length));
        return b;
    }

    /** One complete DIMSE message (or an association event) read from P-DATA-TF PDUs. */
    /** @param reserved bytes of the memory budget held for {@code dataset}; the receiver releases them */
    public record Message(int type, int pcId, DimseCommand command, byte[] dataset, String datasetError, long reserved) {
        public Message(int type, int pcId, DimseCommand command, byte[] dataset, String datasetError) {
            this(type, pcId, command, dataset, datasetError, 0);
        }

        public static final int DIMSE = 0;
        public static final int RELEASE_RQ = 1;
        public static final int RELEASE_RP = 2;
        public static final int ABORT = 3;
        public static final int END_OF_STREAM = 4;
    }

    /**
     * Reassembles DIMSE messages from P-DATA-TF PDUs. The dataset buffer grows with the bytes that
     * actually arrive, never from a declared length, and stops growing at {@code maxDataset}: the
     * rest of an oversized dataset is read and discarded so that the association stays in step.
     */
    public static final class Assembler {
        private static final int MAX_COMMAND = 64 * 1024;
        private final InputStream in;
        private final long maxPdu;
        private final long maxDataset;
        private static final long CHUNK = 1 << 20;
        private final Map<Integer, Boolean> acceptedPcs;
        private final MemoryBudget budget;
        private final long budgetWaitMillis;

        public Assembler(InputStream in, long maxPdu, long maxDataset, Map<Integer, Boolean> acceptedPcs) {
            this(in, maxPdu, maxDataset, acceptedPcs, MemoryBudget.unlimited(), 0);
        }

        public Assembler(InputStream in, long maxPdu, long maxDataset, Map<Integer, Boolean> acceptedPcs, MemoryBudget budget,
                         long budgetWaitMillis) {
            this.in = in;
            this.maxPdu = maxPdu;
            this.maxDataset = maxDataset;
            this.acceptedPcs = acceptedPcs == null ? new LinkedHashMap<>() : acceptedPcs;
            this.budget = budget;
            this.budgetWaitMillis = budgetWaitMillis;
        }

        /** Reads the next message; on a protocol error any budget held for a partial dataset is released. */
        public Message next() throws IOException, PduException {
            long[] reserved = {0};
            try {
                Message m = readMessage(reserved);
                if (m.dataset() != null) {
                    return new Message(m.type(), m.pcId(), m.command(), m.dataset(), m.datasetError(), reserved[0]);
                }
                budget.release(reserved[0]);
                return m;
            } catch (IOException | PduException | RuntimeException e) {
                budget.release(reserved[0]);
                throw e;
            }
        }

        private Message readMessage(long[] reserved) throws IOException, PduException {
            ByteArrayOutputStream cmd = new ByteArrayOutputStream();
            ByteArrayOutputStream data = null;
            DimseCommand command = null;
            int pcId = -1;
            String dataError = null;
            while (true) {
                Pdu pdu;
                try {
                    pdu = read(in, maxPdu);
                } catch (EOFException e) {
                    throw new PduException("connection closed in the middle of a PDU", 0);
                }
                if (pdu == null) {
                    if (command != null || cmd.size() > 0) {
                        throw new PduException("connection closed in the middle of a message", 0);
                    }
                    return new Message(Message.END_OF_STREAM, -1, null, null, null);
                }
                switch (pdu.type()) {
                    case A_RELEASE_RQ -> {
                        if (command != null || cmd.size() > 0) {
                            throw new PduException("A-RELEASE-RQ in the middle of a message", 2);
                        }
                        return new Message(Message.RELEASE_RQ, -1, null, null, null);
                    }
                    case A_RELEASE_RP -> {
                        return new Message(Message.RELEASE_RP, -1, null, null, null);
                    }
                    case A_ABORT -> {
                        return new Message(Message.ABORT, -1, null, null, null);
                    }
                    case P_DATA_TF -> {
                    }
                    default -> throw new PduException(String.format("unexpected PDU type 0x%02X", pdu.type()), 2);
                }
                byte[] b = pdu.body();
                int pos = 0;
                while (pos < b.length) {
                    if (b.length - pos < 6) {
                        throw new PduException("truncated PDV item", 6);
                    }
                    long len = ByteReader.u32(b, pos, true);
                    if (len < 2 || len > b.length - pos - 4) {
                        throw new PduException("PDV item length " + len + " does not fit its PDU", 6);
                    }
                    int id = b[pos + 4] & 0xFF;
                    int mch = b[pos + 5] & 0xFF;
                    int off = pos + 6;
                    int n = (int) len - 2;
                    pos += 4 + (int) len;
                    if (!acceptedPcs.isEmpty() && !acceptedPcs.containsKey(id)) {
                        throw new PduException("PDV on presentation context " + id + " that was not accepted", 6);
                    }
                    if (pcId >= 0 && id != pcId) {
                        throw new PduException("PDV on presentation context " + id + " inside a message on context " + pcId, 6);
                    }
                    pcId = id;
                    boolean isCommand = (mch & 1) != 0;
                    boolean last = (mch & 2) != 0;
                    if (isCommand) {
                        if (command != null) {
                            throw new PduException("command fragment after the command was complete", 2);
                        }
                        if (cmd.size() + n > MAX_COMMAND) {
                            throw new PduException("DIMSE command larger than " + MAX_COMMAND + " bytes", 6);
                        }
                        cmd.write(b, off, n);
                        if (last) {
                            command = DimseCommand.parse(cmd.toByteArray());
                            if (!command.hasDataSet()) {
                                return new Message(Message.DIMSE, pcId, command, null, null);
                            }
                            data = new ByteArrayOutputStream();
                        }
                    } else {
                        if (command == null) {
                            throw new PduException("data fragment before its command", 2);
                        }
                        if (dataError == null) {
                            long need = data.size() + (long) n;
                            if (need > maxDataset) {
                                dataError = "dataset larger than the limit of " + maxDataset + " bytes";
                                data = new ByteArrayOutputStream();
                            } else if (!reserveUpTo(need * 2, reserved)) {
                                // x2: the growing buffer plus its final copy.
                                dataError = "server memory budget exhausted, retry later";
                                data = new ByteArrayOutputStream();
                            } else {
                                data.write(b, off, n);
                            }
                        }
                        if (last) {
                            return new Message(Message.DIMSE, pcId, command, dataError == null ? data.toByteArray() : null, dataError);
                        }
                    }
                }
            }
        }

        private boolean reserveUpTo(long needed, long[] reserved) throws PduException {
            while (reserved[0] < needed) {
                try {
                    if (!budget.reserve(CHUNK, budgetWaitMillis)) {
                        return false;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PduException("interrupted", 0);
                }
                reserved[0] += CHUNK;
            }
            return true;
        }
    }
}
