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

    /** Every filter option of the page is a value the list route accepts, under the parameter the page sends it as. */
    @Test
    void everyFilterOptionIsAValidListQuery() throws Exception {
        String html = pageHtml();
        java.util.Map<String, String> params = java.util.Map.of("f-state", "state", "f-type", "type", "f-severity", "severity");
        int checked = 0;
        for (var e : params.entrySet()) {
            int start = html.indexOf("<select id=\"" + e.getKey() + "\"");
            String select = html.substring(start, html.indexOf("</select>", start));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("<option value=\"([^\"]*)\"").matcher(select);
            while (m.find()) {
                org.triage.alerts.view.AlertQuery q = AlertsApi.parseQuery(e.getValue() + "=" + m.group(1) + "&limit=1000");
                assertEquals(1000, q.limit());
                checked++;
            }
        }
        assertTrue(checked >= 14, "options found: " + checked);
        assertTrue(AlertsApi.parseQuery("since=" + System.currentTimeMillis() + "&label=covid19").since() != null, "time as epoch ms");
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
