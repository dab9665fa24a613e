package org.triage.ingest.dicom;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal storage SCU: one association, C-STORE of each Part 10 file, release. Used by the demo
 * and the benchmark to drive the SCP without external tools, and to time C-STORE round trips.
 */
public final class StoreScu {
    /** Outcome of one C-STORE: DICOM status (-1 = not sent), and the round trip from first byte sent to response. */
    public record Result(String sopInstanceUid, int status, long roundTripNanos, String error) {
        public boolean ok() {
            return status == 0;
        }
    }

    private static final int MAX_PDU = 128 * 1024;
    private final int timeoutMillis;

    public StoreScu() {
        this(30_000);
    }

    public StoreScu(int timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    public List<Result> sendPaths(String host, int port, String callingAet, String calledAet, List<Path> files) throws IOException {
        List<byte[]> bytes = new ArrayList<>();
        for (Path p : files) {
            bytes.add(Files.readAllBytes(p));
        }
        return send(host, port, callingAet, calledAet, bytes);
    }

    /** Sends Part 10 files over one association; throws when the association is rejected or aborted. */
    public List<Result> send(String host, int port, String callingAet, String calledAet, List<byte[]> files) throws IOException {
        record Item(String sopClass, String sopInstance, String ts, byte[] dataset) {
        }
        List<Item> items = new ArrayList<>();
        Map<String, Integer> pcIds = new LinkedHashMap<>();
        List<UpperLayer.PresentationContext> pcs = new ArrayList<>();
        DicomReader reader = new DicomReader(DicomLimits.DEFAULT);
        for (byte[] f : files) {
            try {
                // The meta group is all a sender needs; the SCP judges the dataset, which need not be an image.
                DicomObject meta = reader.readFileMeta(f);
                String cls = meta.getString(Tag.MEDIA_STORAGE_SOP_CLASS_UID);
                String inst = meta.getString(Tag.MEDIA_STORAGE_SOP_INSTANCE_UID);
                String ts = meta.getString(Tag.TRANSFER_SYNTAX_UID);
                int off = Part10.datasetOffset(f);
                items.add(new Item(cls, inst, ts, Arrays.copyOfRange(f, off, f.length)));
                String key = cls + "|" + ts;
                if (!pcIds.containsKey(key)) {
                    int id = 1 + 2 * pcIds.size();
                    if (id > 255) {
                        throw new IOException("too many distinct SOP class / transfer syntax pairs for one association");
                    }
                    pcIds.put(key, id);
                    pcs.add(new UpperLayer.PresentationContext(id, cls, List.of(ts)));
                }
            } catch (DicomException e) {
                throw new IOException("not a sendable Part 10 file: " + e.getMessage(), e);
            }
        }
        if (pcs.isEmpty()) {
            pcs.add(new UpperLayer.PresentationContext(1, Uids.VERIFICATION, List.of(Uids.IMPLICIT_VR_LE)));
        }
        List<Result> results = new ArrayList<>();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 65536));
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 65536);
            UpperLayer.Associate ac = associate(in, out, callingAet, calledAet, pcs);
            Map<Integer, String> acceptedTs = new LinkedHashMap<>();
            for (UpperLayer.PresentationResult r : ac.results()) {
                if (r.result() == 0) {
                    acceptedTs.put(r.id(), r.transferSyntax());
                }
            }
            UpperLayer.Assembler assembler = new UpperLayer.Assembler(in, MAX_PDU, 1 << 20, null);
            int msgId = 1;
            for (Item it : items) {
                int pcId = pcIds.get(it.sopClass() + "|" + it.ts());
                if (!acceptedTs.containsKey(pcId)) {
                    results.add(new Result(it.sopInstance(), -1, 0, "presentation context rejected by the SCP"));
                    continue;
                }
                byte[] cmd = new DimseCommand.Builder()
                        .ui(DimseCommand.AFFECTED_SOP_CLASS_UID, it.sopClass())
                        .us(DimseCommand.COMMAND_FIELD, DimseCommand.C_STORE_RQ)
                        .us(DimseCommand.MESSAGE_ID, msgId)
                        .us(DimseCommand.PRIORITY, 0)
                        .us(DimseCommand.COMMAND_DATA_SET_TYPE, DimseCommand.DATA_SET_PRESENT)
                        .ui(DimseCommand.AFFECTED_SOP_INSTANCE_UID, it.sopInstance())
                        .encode();
                long t0 = System.nanoTime();
                UpperLayer.writePData(out, pcId, true, cmd, ac.maxPduLength());
                UpperLayer.writePData(out, pcId, false, it.dataset(), ac.maxPduLength());
                UpperLayer.Message rsp = assembler.next();
                long rtt = System.nanoTime() - t0;
                if (rsp.type() != UpperLayer.Message.DIMSE || rsp.command().commandField() != DimseCommand.C_STORE_RSP) {
                    throw new IOException("association ended before the C-STORE response");
                }
                int status = rsp.command().getUS(DimseCommand.STATUS, -1);
                results.add(new Result(it.sopInstance(), status, rtt, rsp.command().getString(DimseCommand.ERROR_COMMENT)));
                msgId = (msgId % 0xFFFF) + 1;
            }
            UpperLayer.writeReleaseRq(out);
            UpperLayer.Message end = assembler.next();
            if (end.type() != UpperLayer.Message.RELEASE_RP) {
                throw new IOException("expected A-RELEASE-RP");
            }
        } catch (PduException e) {
            throw new IOException("protocol error: " + e.getMessage(), e);
        }
        return results;
    }

    /** C-ECHO: returns the status (0 = success). */
    public int echo(String host, int port, String callingAet, String calledAet) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            OutputStream out = new BufferedOutputStream(s.getOutputStream());
            UpperLayer.Associate ac = associate(in, out, callingAet, calledAet,
                    List.of(new UpperLayer.PresentationContext(1, Uids.VERIFICATION, List.of(Uids.IMPLICIT_VR_LE))));
            byte[] cmd = new DimseCommand.Builder()
                    .ui(DimseCommand.AFFECTED_SOP_CLASS_UID, Uids.VERIFICATION)
                    .us(DimseCommand.COMMAND_FIELD, DimseCommand.C_ECHO_RQ)
                    .us(DimseCommand.MESSAGE_ID, 1)
                    .us(DimseCommand.COMMAND_DATA_SET_TYPE, DimseCommand.NO_DATA_SET)
                    .encode();
            UpperLayer.writePData(out, 1, true, cmd, ac.maxPduLength());
            UpperLayer.Assembler assembler = new UpperLayer.Assembler(in, MAX_PDU, 1 << 16, null);
            UpperLayer.Message rsp = assembler.next();
            if (rsp.type() != UpperLayer.Message.DIMSE) {
                throw new IOException("no C-ECHO response");
            }
            UpperLayer.writeReleaseRq(out);
            assembler.next();
            return rsp.command().getUS(DimseCommand.STATUS, -1);
        } catch (PduException e) {
            throw new IOException("protocol error: " + e.getMessage(), e);
        }
    }

    private static UpperLayer.Associate associate(DataInputStream in, OutputStream out, String calling, String called,
                                                  List<UpperLayer.PresentationContext> pcs) throws IOException, PduException {
        UpperLayer.writeAssociateRq(out, calling, called, pcs, MAX_PDU);
        UpperLayer.Pdu pdu = UpperLayer.read(in, MAX_PDU);
        if (pdu == null) {
            throw new IOException("connection closed during association");
        }
        if (pdu.type() == UpperLayer.A_ASSOCIATE_RJ) {
            byte[] b = pdu.body();
            throw new AssociationRejectedException(b.length >= 4 ? b[1] : 0, b.length >= 4 ? b[2] : 0, b.length >= 4 ? b[3] : 0);
        }
        if (pdu.type() != UpperLayer.A_ASSOCIATE_AC) {
            throw new IOException(String.format("expected A-ASSOCIATE-AC, got PDU type 0x%02X", pdu.type()));
        }
        return UpperLayer.parseAssociate(pdu.body(), false);
    }

    /** The SCP answered A-ASSOCIATE-RJ. */
    public static final class AssociationRejectedException extends IOException {
        private final int result;
        private final int source;
        private final int reason;

        AssociationRejectedException(int result, int source, int reason) {
            super("association rejected: result " + result + ", source " + source + ", reason " + reason);
            this.result = result;
            this.source = source;
            this.reason = reason;
        }

        public int result() {
            return result;
        }

        public int source() {
            return source;
        }

        public int reason() {
            return reason;
        }
    }
}
