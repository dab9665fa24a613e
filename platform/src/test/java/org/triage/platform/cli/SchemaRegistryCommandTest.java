package org.triage.platform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.triage.platform.kafka.EmbeddedKafka;

/** {@code triage schema-registry} as a child process on an existing Kafka, with basic auth from the environment. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SchemaRegistryCommandTest {
    private static EmbeddedKafka kafka;
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private Process launch(Map<String, String> env, Path stderr, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), SchemaRegistryMain.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(stderr.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private HttpResponse<String> get(String url, String userInfo) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (userInfo != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesOnAnExistingKafkaBehindBasicAuth() throws Exception {
        Path stderr = tmp.resolve("stderr.log");
        Process p = launch(Map.of("TRIAGE_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "TRIAGE_REGISTRY_BASIC_AUTH", "svc:pa55:word"),
                stderr, "--port", "0");
        String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            line = out.readLine();
            assertTrue(line != null && line.matches("schema\\.registry\\.url=http://127\\.0\\.0\\.1:\\d+"),
                    line + "\n" + Files.readString(stderr));
            String url = line.substring("schema.registry.url=".length());
            HttpResponse<String> anonymous = get(url + "/subjects", null);
            assertEquals(401, anonymous.statusCode());
            assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
            assertEquals(200, get(url + "/subjects", "svc:pa55:word").statusCode());
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "exits after SIGTERM");
        }
        assertFalse(Files.readString(stderr).contains("pa55:word"), "the password is never logged");
    }

    @Test
    void aBadSettingIsOneLineAndExitCode2() throws Exception {
        Path stderr = tmp.resolve("bad.log");
        Process p = launch(Map.of(), stderr, "--bootstrap-servers", kafka.bootstrapServers(), "--port", "0",
                "--registry-basic-auth-file", tmp.resolve("missing").toString());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        List<String> err = Files.readAllLines(stderr);
        assertEquals(1, err.size(), String.join("\n", err));
        assertTrue(err.get(0).startsWith("triage schema-registry: cannot read --registry-basic-auth-file"), err.get(0));
    }
}
