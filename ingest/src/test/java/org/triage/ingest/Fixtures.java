package org.triage.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Generates the pydicom-made fixtures (16-bit DX with PHI markers, signed MONOCHROME1) into a temp folder. */
public final class Fixtures {
    public static final String[] PHI_MARKERS = {"ZZMARKERNAME", "Quixote", "ZZMARKERPID4711", "19010203", "ZZMARKERADDR", "ZZMARKERFREETEXT",
            "ZZMARKERPRIVATE"};

    private Fixtures() {
    }

    public static Path script(String name, Path dir) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = Fixtures.class.getResourceAsStream("/" + name)) {
            Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
        }
        return p;
    }

    /** Writes dx16.dcm, dx16_implicit.dcm, mono1_signed.dcm (and big_*.dcm when n > 0) into dir. */
    public static Path generate(Path dir, int bigImages) throws IOException {
        TestTools.pydicomTestFiles();
        Path gen = script("gen_fixtures.py", dir);
        Path out = dir.resolve("fixtures");
        TestTools.Result r = TestTools.run(java.util.List.of(TestTools.PYTHON, gen.toString(), out.toString(), Integer.toString(bigImages)), 300);
        assertEquals(0, r.code(), "fixture generation failed: " + r.out());
        return out;
    }
}
