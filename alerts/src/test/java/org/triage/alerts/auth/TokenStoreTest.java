package org.triage.alerts.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
    private static final String VIEW = "v1ewer-token-aaaaaaaaaaaa";
    private static final String ACT = "resp0nder-token-bbbbbbbbbb";

    @Test
    void parsesCommentsBlanksRolesAndNames() {
        TokenStore s = TokenStore.parse(List.of("# on-call tokens", "", "  " + VIEW + ":viewer  ", ACT + ":responder:dr.house", "   # indented comment"), "t");
        assertEquals(2, s.size());
        Principal v = s.authenticate(VIEW).orElseThrow();
        assertEquals(Role.VIEWER, v.role());
        assertTrue(v.identity().startsWith("viewer-"), v.identity());
        Principal r = s.authenticate(ACT).orElseThrow();
        assertEquals(Role.RESPONDER, r.role());
        assertEquals("dr.house", r.identity());
        assertTrue(s.authenticate("nope").isEmpty());
        assertTrue(s.authenticate(VIEW + "x").isEmpty());
        assertTrue(s.authenticate("").isEmpty());
        assertTrue(s.authenticate(null).isEmpty());
    }

    @Test
    void identityWithoutNameIsStableAndDoesNotContainTheToken() {
        String a = TokenStore.parse(List.of(VIEW + ":viewer"), "t").authenticate(VIEW).orElseThrow().identity();
        String b = TokenStore.parse(List.of("# x", VIEW + ":viewer"), "t").authenticate(VIEW).orElseThrow().identity();
        assertEquals(a, b);
        assertFalse(a.contains(VIEW));
    }

    @Test
    void malformedLinesAreRefusedWithTheirLineNumberButNotTheirContent() {
        assertLineError(List.of("# c", VIEW + ":viewer", "justatoken"), 3);
        assertLineError(List.of(VIEW + ":admin"), 1);
        assertLineError(List.of("", ":viewer"), 2);
        assertLineError(List.of(VIEW + ":viewer:name:extra"), 1);
        assertLineError(List.of("tok en:viewer"), 1);
        assertLineError(List.of(VIEW + ":viewer:bad name"), 1);
        assertLineError(List.of(VIEW + ":viewer", VIEW + ":responder"), 2);
        assertLineError(List.of(VIEW + ":Viewer"), 1);
    }

    private static void assertLineError(List<String> lines, int lineNo) {
        TokensFileException e = assertThrows(TokensFileException.class, () -> TokenStore.parse(lines, "tokens.txt"));
        assertTrue(e.getMessage().contains("line " + lineNo + ":"), e.getMessage());
        assertFalse(e.getMessage().contains(VIEW), "the message must not leak the token: " + e.getMessage());
    }

    @Test
    void emptyOrMissingFilesAreRefused(@TempDir Path dir) throws Exception {
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "# nothing here\n\n");
        assertTrue(assertThrows(TokensFileException.class, () -> TokenStore.load(empty)).getMessage().contains("no tokens"));
        Path missing = dir.resolve("missing.txt");
        assertTrue(assertThrows(TokensFileException.class, () -> TokenStore.load(missing)).getMessage().contains("does not exist"));
        Path binary = dir.resolve("bin.txt");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x41});
        assertTrue(assertThrows(TokensFileException.class, () -> TokenStore.load(binary)).getMessage().contains("UTF-8"));
        Path ok = dir.resolve("ok.txt");
        Files.writeString(ok, ACT + ":responder\n", StandardCharsets.UTF_8);
        assertEquals(1, TokenStore.load(ok).size());
        assertFalse(TokenStore.load(ok).toString().contains(ACT));
    }

    @Test
    void countsShortTokens() {
        assertEquals(1, TokenStore.parse(List.of("short:viewer", ACT + ":responder"), "t").shortTokens());
    }
}
