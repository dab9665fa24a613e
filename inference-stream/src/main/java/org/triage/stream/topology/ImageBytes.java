package org.triage.stream.topology;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.triage.events.NormalisedImage;

/** The encoded image of an event: inline bytes, or a file: reference checked against its SHA-256. */
public final class ImageBytes {
    /** Refuses referenced files beyond this size: the header is not trusted to size an allocation. */
    public static final long MAX_REFERENCED_BYTES = 256L * 1024 * 1024;

    private ImageBytes() {
    }

    public static byte[] of(NormalisedImage image) {
        ByteBuffer data = image.getData();
        if (data != null) {
            ByteBuffer d = data.duplicate();
            byte[] out = new byte[d.remaining()];
            d.get(out);
            return out;
        }
        String uri = image.getUri();
        if (uri == null) {
            throw new IllegalArgumentException("image has neither inline data nor a reference uri");
        }
        URI u = URI.create(uri);
        if (!"file".equalsIgnoreCase(u.getScheme())) {
            throw new IllegalArgumentException("unsupported image reference scheme '" + u.getScheme() + "' (only file: is)");
        }
        Path p = Path.of(u);
        try {
            long size = Files.size(p);
            if (size > MAX_REFERENCED_BYTES) {
                throw new IllegalArgumentException("referenced image is " + size + " bytes, over the " + MAX_REFERENCED_BYTES + " limit");
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(p)) {
                bytes = in.readNBytes((int) size);
            }
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            if (!sha.equalsIgnoreCase(image.getSha256())) {
                throw new IllegalArgumentException("referenced image SHA-256 mismatch");
            }
            return bytes;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read referenced image: " + e.getClass().getSimpleName());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
