package org.triage.results.hl7;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;

/** MLLP (HL7 v2 over TCP) framing: {@code <VT> message <FS><CR>}. */
public final class MllpFraming {
    static final int START = 0x0b;
    static final int END_1 = 0x1c;
    static final int END_2 = 0x0d;

    private MllpFraming() {
    }

    public static void write(OutputStream out, String message, Charset charset) throws IOException {
        out.write(START);
        out.write(message.getBytes(charset));
        out.write(END_1);
        out.write(END_2);
        out.flush();
    }

    /**
     * The next framed message, or null at end of stream before a frame started.
     *
     * @throws IOException on a frame cut short or larger than {@code maxBytes}
     */
    public static String read(InputStream in, Charset charset, int maxBytes) throws IOException {
        int b;
        do {
            b = in.read();
            if (b < 0) {
                return null;
            }
        } while (b != START);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        while (true) {
            b = in.read();
            if (b < 0) {
                throw new IOException("MLLP frame cut short");
            }
            if (b == END_1) {
                int next = in.read();
                if (next == END_2) {
                    return buf.toString(charset);
                }
                throw new IOException("MLLP frame end not followed by CR");
            }
            if (buf.size() >= maxBytes) {
                throw new IOException("MLLP frame over " + maxBytes + " bytes");
            }
            buf.write(b);
        }
    }
}
