package org.triage.ingest.scp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.events.Priority;
import org.triage.ingest.dicom.DicomException;
import org.triage.ingest.dicom.DimseCommand;
import org.triage.ingest.dicom.Part10;
import org.triage.ingest.dicom.PduException;
import org.triage.ingest.dicom.Uids;
import org.triage.ingest.dicom.UpperLayer;
import org.triage.ingest.dicom.UpperLayer.Associate;
import org.triage.ingest.dicom.UpperLayer.Message;
import org.triage.ingest.dicom.UpperLayer.PresentationContext;
import org.triage.ingest.dicom.UpperLayer.PresentationResult;
import org.triage.ingest.pipeline.IngestPipeline;
import org.triage.ingest.pipeline.IngestResult;

/** One association: negotiation, then C-ECHO / C-STORE until release or abort (PS3.8 state machine, acceptor side). */
final class Association implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Association.class);

    private final Socket socket;
    private final ScpConfig config;
    private final IngestPipeline pipeline;
    private final boolean admitted;
    private final Map<Integer, PresentationResult> accepted = new HashMap<>();
    private final Map<Integer, String> abstractSyntaxes = new HashMap<>();
    private String callingAet = "?";
    private long peerMaxPdu;

    Association(Socket socket, ScpConfig config, IngestPipeline pipeline, boolean admitted) {
        this.socket = socket;
        this.config = config;
        this.pipeline = pipeline;
        this.admitted = admitted;
    }

    @Override
    public void run() {
        try (socket) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) config.artimTimeout().toMillis());
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 65536));
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 65536);
            try {
                if (!negotiate(in, out)) {
                    return;
                }
                socket.setSoTimeout((int) config.idleTimeout().toMillis());
                serve(in, out);
            } catch (PduException e) {
                LOG.warn("aborting association from {}: {}", callingAet, e.getMessage());
                UpperLayer.writeAbort(out, 2, e.reason());
            } catch (SocketTimeoutException e) {
                LOG.warn("aborting association from {}: timed out", callingAet);
                UpperLayer.writeAbort(out, 2, 0);
            }
        } catch (IOException e) {
            LOG.debug("association from {} ended: {}", callingAet, e.getMessage());
        }
    }

    private boolean negotiate(DataInputStream in, OutputStream out) throws IOException, PduException {
        UpperLayer.Pdu pdu = UpperLayer.read(in, UpperLayer.MAX_ASSOCIATE_PDU);
        if (pdu == null) {
            return false;
        }
        if (pdu.type() != UpperLayer.A_ASSOCIATE_RQ) {
            throw new PduException(String.format("expected A-ASSOCIATE-RQ, got PDU type 0x%02X", pdu.type()), 2);
        }
        Associate rq = UpperLayer.parseAssociate(pdu.body(), true);
        callingAet = rq.callingAet();
        if (!admitted) {
            LOG.warn("rejecting association from {}: {} associations already open", callingAet, config.maxAssociations());
            UpperLayer.writeAssociateRj(out, 2, 3, 2);
            return false;
        }
        if (!Uids.APPLICATION_CONTEXT.equals(rq.applicationContext())) {
            UpperLayer.writeAssociateRj(out, 1, 1, 2);
            return false;
        }
        if (!config.aet().equals(rq.calledAet())) {
            LOG.warn("rejecting association from {}: called AE title '{}' is not ours", callingAet, rq.calledAet());
            UpperLayer.writeAssociateRj(out, 1, 1, 7);
            return false;
        }
        if (!config.allowedCallingAets().isEmpty() && !config.allowedCallingAets().contains(rq.callingAet())) {
            LOG.warn("rejecting association: calling AE title '{}' is not allowed", callingAet);
            UpperLayer.writeAssociateRj(out, 1, 1, 3);
            return false;
        }
        List<PresentationResult> results = new ArrayList<>();
        for (PresentationContext pc : rq.contexts()) {
            PresentationResult r = decide(pc);
            results.add(r);
            if (r.result() == 0) {
                accepted.put(pc.id(), r);
                abstractSyntaxes.put(pc.id(), pc.abstractSyntax());
            }
        }
        peerMaxPdu = rq.maxPduLength();
        UpperLayer.writeAssociateAc(out, rq, results, config.maxPduLength());
        LOG.info("association from {} accepted ({} of {} presentation contexts)", callingAet, accepted.size(), results.size());
        return true;
    }

    /**
     * Accept our SOP classes in the first transfer syntax, in the proposer's order, that we decode: an SCU
     * lists the syntax its data is already in first (dcmtk's storescu does), and it may be unable to convert.
     */
    static PresentationResult decide(PresentationContext pc) {
        boolean verification = Uids.VERIFICATION.equals(pc.abstractSyntax());
        if (!verification && !Uids.isStorage(pc.abstractSyntax())) {
            return new PresentationResult(pc.id(), 3, null);
        }
        List<String> ours = verification ? List.of(Uids.EXPLICIT_VR_LE, Uids.IMPLICIT_VR_LE) : Uids.TRANSFER_SYNTAXES;
        for (String ts : pc.transferSyntaxes()) {
            if (ours.contains(ts)) {
                return new PresentationResult(pc.id(), 0, ts);
            }
        }
        return new PresentationResult(pc.id(), 4, null);
    }

    private void serve(DataInputStream in, OutputStream out) throws IOException, PduException {
        Map<Integer, Boolean> ids = new HashMap<>();
        accepted.keySet().forEach(id -> ids.put(id, true));
        if (ids.isEmpty()) {
            ids.put(-1, true); // nothing accepted: any PDV is then a protocol error
        }
        UpperLayer.Assembler assembler = new UpperLayer.Assembler(in, config.maxPduLength(), pipeline.limits().maxDatasetBytes(), ids,
                pipeline.memoryBudget(), config.idleTimeout().toMillis() / 2);
        while (true) {
            Message m = assembler.next();
            switch (m.type()) {
                case Message.RELEASE_RQ -> {
                    UpperLayer.writeReleaseRp(out);
                    LOG.debug("association from {} released", callingAet);
                    return;
                }
                case Message.ABORT -> {
                    LOG.info("association from {} aborted by the peer", callingAet);
                    return;
                }
                case Message.END_OF_STREAM -> {
                    LOG.info("association from {} closed without release", callingAet);
                    return;
                }
                case Message.RELEASE_RP -> throw new PduException("unexpected A-RELEASE-RP", 2);
                default -> {
                    try {
                        handle(m, out);
                    } finally {
                        pipeline.memoryBudget().release(m.reserved());
                    }
                }
            }
        }
    }

    private void handle(Message m, OutputStream out) throws IOException {
        DimseCommand cmd = m.command();
        int field = cmd.commandField();
        int msgId = cmd.getUS(DimseCommand.MESSAGE_ID, 0);
        String sopClass = cmd.getString(DimseCommand.AFFECTED_SOP_CLASS_UID);
        switch (field) {
            case DimseCommand.C_ECHO_RQ -> {
                byte[] rsp = new DimseCommand.Builder()
                        .ui(DimseCommand.AFFECTED_SOP_CLASS_UID, sopClass == null ? Uids.VERIFICATION : sopClass)
                        .us(DimseCommand.COMMAND_FIELD, DimseCommand.C_ECHO_RSP)
                        .us(DimseCommand.MESSAGE_ID_BEING_RESPONDED_TO, msgId)
                        .us(DimseCommand.COMMAND_DATA_SET_TYPE, DimseCommand.NO_DATA_SET)
                        .us(DimseCommand.STATUS, 0)
                        .encode();
                UpperLayer.writePData(out, m.pcId(), true, rsp, peerMaxPdu);
            }
            case DimseCommand.C_STORE_RQ -> store(m, cmd, msgId, sopClass, out);
            default -> {
                // Unrecognized operation (0x0211) for anything we do not implement.
                byte[] rsp = new DimseCommand.Builder()
                        .us(DimseCommand.COMMAND_FIELD, field | 0x8000)
                        .us(DimseCommand.MESSAGE_ID_BEING_RESPONDED_TO, msgId)
                        .us(DimseCommand.COMMAND_DATA_SET_TYPE, DimseCommand.NO_DATA_SET)
                        .us(DimseCommand.STATUS, 0x0211)
                        .encode();
                UpperLayer.writePData(out, m.pcId(), true, rsp, peerMaxPdu);
            }
        }
    }

    private void store(Message m, DimseCommand cmd, int msgId, String sopClass, OutputStream out) throws IOException {
        String sopInstance = cmd.getString(DimseCommand.AFFECTED_SOP_INSTANCE_UID);
        PresentationResult pc = accepted.get(m.pcId());
        IngestResult result;
        if (m.dataset() == null) {
            String why = m.datasetError() != null ? m.datasetError() : "C-STORE-RQ without a dataset";
            result = pipeline.rejectUnread(sopInstance, sopClass, new byte[0], why, DicomException.Status.OUT_OF_RESOURCES, "scp:" + callingAet);
        } else if (!Uids.isStorage(sopClass) || !sopClass.equals(abstractSyntaxes.get(m.pcId()))) {
            result = new IngestResult(DicomException.Status.SOP_CLASS_NOT_SUPPORTED, pipeline.deidentifier().replaceUid(sopInstance), sopClass,
                    "SOP class does not match the presentation context", sopInstance);
        } else {
            byte[] ds = m.dataset();
            result = pipeline.ingestDataset(ds, pc.transferSyntax(), "scp:" + callingAet, priority(cmd), sopInstance,
                    () -> Part10.wrap(sopClass, sopInstance, pc.transferSyntax(), ds));
        }
        DimseCommand.Builder b = new DimseCommand.Builder()
                .ui(DimseCommand.AFFECTED_SOP_CLASS_UID, sopClass == null ? "" : sopClass)
                .us(DimseCommand.COMMAND_FIELD, DimseCommand.C_STORE_RSP)
                .us(DimseCommand.MESSAGE_ID_BEING_RESPONDED_TO, msgId)
                .us(DimseCommand.COMMAND_DATA_SET_TYPE, DimseCommand.NO_DATA_SET)
                .us(DimseCommand.STATUS, result.status())
                .ui(DimseCommand.AFFECTED_SOP_INSTANCE_UID, sopInstance == null ? "" : sopInstance);
        if (!result.ok() && result.error() != null) {
            b.text(DimseCommand.ERROR_COMMENT, result.error());
        }
        UpperLayer.writePData(out, m.pcId(), true, b.encode(), peerMaxPdu);
    }

    /** C-STORE Priority (0000,0700): 1 = HIGH; the event has no "low", so LOW and MEDIUM are routine. */
    private static Priority priority(DimseCommand cmd) {
        return cmd.getUS(DimseCommand.PRIORITY, 0) == 1 ? Priority.URGENT : Priority.ROUTINE;
    }
}
