package org.triage.alerts.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live page's inline script parses (node; skipped when node is absent). What the page does is
 * checked in a real browser by {@code AlertsPageBrowserTest}.
 */
class PageScriptTest {
    @Test
    void inlineScriptIsValidJavaScript(@TempDir Path dir) throws Exception {
        String node = requireNode();
        Path js = dir.resolve("page.js");
        String html = pageHtml();
        Files.writeString(js, html.substring(html.indexOf("<script>") + 8, html.indexOf("</script>")));
        Process p = new ProcessBuilder(node, "--check", js.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "node --check did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "page script has a syntax error:\n" + out);
    }

    private static String pageHtml() throws Exception {
        try (InputStream in = PageScriptTest.class.getResourceAsStream(PageHandler.RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String requireNode() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                File f = new File(d, "node");
                if (f.canExecute()) return f.getAbsolutePath();
            }
        }
        Assumptions.assumeTrue(org.triage.schemas.PeerPolicy.skipAllowed("node is not installed"), "node is not installed: skipping the page script checks");
        return null;
    }
}
