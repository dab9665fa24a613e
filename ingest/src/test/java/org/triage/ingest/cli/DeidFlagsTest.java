package org.triage.ingest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.triage.ingest.deid.DeidOptions;
import org.triage.ingest.deid.SiteKey;
import picocli.CommandLine;

/** The de-identification flags of scp, stow and files: safe defaults, each option switchable on its own. */
class DeidFlagsTest {
    @Test
    void defaultsShiftDatesHideTheDeviceAndRefuseBurnedInFilms() {
        Assumptions.assumeTrue(System.getenv(DeidOptions.ENV_REID_DIR) == null, "TRIAGE_REID_DIR set in this environment");
        for (String sub : new String[] {"scp", "stow", "files"}) {
            DeidOptions d = deid(sub);
            assertTrue(d.shiftDates(), sub);
            assertFalse(d.retainDeviceIdentity(), sub);
            assertNull(d.sourceName(), sub);
            assertFalse(d.acceptBurnedIn(), sub);
            assertEquals(Path.of(System.getProperty("user.home"), ".triage", "reid"), d.reidentificationDir(), sub);
        }
    }

    @Test
    void eachOptionIsAFlag() {
        DeidOptions d = deid("scp", "--keep-dates", "--retain-device-identity", "--source-name", "site-a", "--accept-burned-in",
                "--reid-dir", "/srv/reid");
        assertFalse(d.shiftDates());
        assertTrue(d.retainDeviceIdentity());
        assertEquals("site-a", d.sourceName());
        assertTrue(d.acceptBurnedIn());
        assertEquals(Path.of("/srv/reid"), d.reidentificationDir());
    }

    @Test
    void theDemoKeyKeepsItsMapInATemporaryFolder() {
        Assumptions.assumeTrue(System.getenv(SiteKey.ENV_KEY) == null, "TRIAGE_PSEUDONYM_KEY set in this environment");
        assertNull(deid("stow", "--demo-key").reidentificationDir(), "null: a new temporary folder");
        assertEquals(Path.of("/srv/reid"), deid("stow", "--demo-key", "--reid-dir", "/srv/reid").reidentificationDir());
    }

    private static DeidOptions deid(String sub, String... args) {
        String[] all = new String[args.length + (sub.equals("files") ? 2 : 1)];
        all[0] = sub;
        System.arraycopy(args, 0, all, 1, args.length);
        if (sub.equals("files")) {
            all[all.length - 1] = "some-folder";
        }
        Object cmd = new CommandLine(new IngestCommand()).parseArgs(all).subcommand().commandSpec().userObject();
        CommonIngestOptions common = cmd instanceof IngestCommand.Scp s ? s.common
                : cmd instanceof IngestCommand.Stow t ? t.common : ((IngestCommand.Files) cmd).common;
        return common.deid();
    }
}
