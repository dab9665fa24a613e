package org.triage.cli.demo;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.imageio.ImageIO;
import org.triage.ingest.dicom.StoreScu;
import org.triage.trainer.data.Sample;

/** Sends phantom films to ingest's SCP as a modality would: 16-bit DX instances with made-up patient data. */
final class ScpSender {
    private static final String DEMO_AET = "DEMO-MODALITY";
    private static final int ASSOCIATION_SIZE = 20;
    private final String calledAet;
    private final int port;
    private final StoreScu scu = new StoreScu();
    private final UnaryOperator<String> kafkaKey;
    private int sent;

    /** @param kafkaKey the replacement UID ingest publishes for a SOP Instance UID we send (what findings and alerts carry) */
    ScpSender(String calledAet, int port, UnaryOperator<String> kafkaKey) {
        this.calledAet = calledAet;
        this.port = port;
        this.kafkaKey = kafkaKey;
    }

    /** Sends every film; records under which Kafka key (replacement SOP Instance UID) each is in {@code bySop}. Fails on the first refused store. */
    void send(List<Sample> films, Map<String, Sample> bySop) throws IOException {
        for (int i = 0; i < films.size(); i += ASSOCIATION_SIZE) {
            List<byte[]> files = new ArrayList<>();
            for (Sample s : films.subList(i, Math.min(films.size(), i + ASSOCIATION_SIZE))) {
                String sop = "2.25." + Math.abs((long) s.imageId().hashCode()) + "" + (sent++);
                bySop.put(kafkaKey.apply(sop), s);
                files.add(toDicom(s, sop));
            }
            for (StoreScu.Result r : scu.send("127.0.0.1", port, DEMO_AET, calledAet, files)) {
                if (!r.ok()) {
                    throw new IOException("C-STORE of " + r.sopInstanceUid() + " failed: status 0x" + Integer.toHexString(r.status())
                            + (r.error() == null ? "" : " " + r.error()));
                }
            }
        }
    }

    /** The phantom's PNG as a 16-bit DX instance with made-up patient data (ingest must strip it). */
    private static byte[] toDicom(Sample s, String sop) throws IOException {
        BufferedImage img = ImageIO.read(s.imagePath().toFile());
        if (img == null) throw new IOException("cannot read " + s.imagePath());
        Raster r = img.getRaster();
        int w = img.getWidth(), h = img.getHeight();
        boolean sixteen = r.getSampleModel().getSampleSize(0) > 8;
        short[] px = new short[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = r.getSample(x, y, 0);
                px[y * w + x] = (short) (sixteen ? v : v * 257);
            }
        }
        String study = sop + ".1";
        return DicomPart10Writer.write(new DicomPart10Writer.Instance(sop, study, study + ".1", "DEMO-" + s.imageId(),
                "Phantom^" + s.imageId(), h, w, px));
    }
}
