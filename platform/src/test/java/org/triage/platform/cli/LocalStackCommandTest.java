package org.triage.platform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
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
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code triage local-stack} as a separate process: the two contract lines on stdout, the registry serving,
 * a clean stop on SIGTERM, ids surviving a restart on the same --data-dir, and a readable port conflict.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LocalStackCommandTest {
    private static final Pattern BOOTSTRAP = Pattern.compile("bootstrap\\.servers=127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern REGISTRY = Pattern.compile("schema\\.registry\\.url=http://127\\.0\\.0\\.1:(\\d+)");
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private record Running(Process process, BlockingQueue<String> stdout, Path stderr) {
    }

    private Running launch(String... args) throws IOException {
        return launch(java.util.Map.of(), args);
    }

    private Running launch(java.util.Map<String, String> env, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx768m", "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=" + tmp.resolve("jvm-tmp"), "-cp", System.getProperty("java.class.path"),
                LocalStackMain.class.getName()));
        cmd.addAll(List.of(args));
        Files.createDirectories(tmp.resolve("jvm-tmp"));
        Path stderr = Files.createTempFile(tmp, "stderr", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(stderr.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        return new Running(p, lines, stderr);
    }

    private static String nextLine(Running r, long seconds) throws Exception {
        String line = r.stdout().poll(seconds, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError("no stdout line within " + seconds + " s; alive=" + r.process().isAlive()
                    + "; stderr tail:\n" + tail(r.stderr()));
        }
        return line;
    }

    private static String tail(Path file) throws IOException {
        List<String> all = Files.readAllLines(file);
        return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
    }

    private String registryUrl(Running r) throws Exception {
        long t0 = System.nanoTime();
        Matcher b = BOOTSTRAP.matcher(nextLine(r, 120));
        Matcher s = REGISTRY.matcher(nextLine(r, 30));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(b.matches(), "first line is bootstrap.servers=127.0.0.1:PORT");
        assertTrue(s.matches(), "second line is schema.registry.url=http://127.0.0.1:PORT");
        System.err.println("local-stack printed both lines after " + ms + " ms");
        return "http://127.0.0.1:" + s.group(1);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(30)).header("Content-Type", "application/vnd.schemaregistry.v1+json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int register(String url, String subject) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url + "/subjects/" + subject + "/versions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"Cli\\\",\\\"fields\\\":[{\\\"name\\\":\\\"n\\\",\\\"type\\\":\\\"long\\\"}]}\"}")));
        assertEquals(200, r.statusCode(), r.body());
        return Integer.parseInt(r.body().replaceAll("\\D", ""));
    }

    private static void stop(Running r) throws Exception {
        r.process().destroy(); // SIGTERM: the shutdown hook closes the stack
        assertTrue(r.process().waitFor(60, TimeUnit.SECONDS), "exits after SIGTERM");
    }

    @Test
    void printsTheContractLinesServesAndKeepsIdsAcrossRestarts() throws Exception {
        Path dataDir = tmp.resolve("data");
        Running first = launch("--kafka-port", "0", "--registry-port", "0", "--data-dir", dataDir.toString());
        String url = registryUrl(first);
        int id = register(url, "cli-value");
        register(url, "cli-value");
        stop(first);
        assertTrue(Files.exists(dataDir.resolve("kafka").resolve("meta.properties")), "data dir kept");
        assertTrue(first.stdout().isEmpty(), "nothing but the two lines on stdout: " + first.stdout());

        Running second = launch("--kafka-port", "0", "--registry-port", "0", "--data-dir", dataDir.toString());
        String url2 = registryUrl(second);
        HttpResponse<String> latest = send(HttpRequest.newBuilder(URI.create(url2 + "/subjects/cli-value/versions/latest")).GET());
        assertEquals(200, latest.statusCode(), latest.body());
        assertTrue(latest.body().contains("\"id\":" + id), latest.body());

        // Port taken by the running stack: one readable line naming the flag, non-zero exit, no broker left behind.
        String port = url2.substring(url2.lastIndexOf(':') + 1);
        Running clash = launch("--kafka-port", "0", "--registry-port", port);
        assertTrue(clash.process().waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, clash.process().exitValue());
        String err = Files.readString(clash.stderr());
        assertTrue(err.contains("--registry-port") && err.contains(port), err);
        assertTrue(clash.stdout().isEmpty());

        stop(second);
        try (var left = Files.list(tmp.resolve("jvm-tmp"))) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("triage-kafka-")), "no temp broker dirs left");
        }
    }

    @Test
    void threeBrokerProcessesBehindABasicAuthRegistry() throws Exception {
        Path users = tmp.resolve("registry-users");
        Files.writeString(users, "alice:from-the-file\n");
        long t0 = System.nanoTime();
        Running r = launch(java.util.Map.of("TRIAGE_REGISTRY_BASIC_AUTH", "ops:from-the-env"), "--brokers", "3", "--kafka-port", "0",
                "--registry-port", "0", "--registry-basic-auth-file", users.toString());
        String bootstrapLine = nextLine(r, 180);
        String registryLine = nextLine(r, 30);
        System.err.printf("local-stack --brokers 3 printed both lines after %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        assertTrue(bootstrapLine.matches("bootstrap\\.servers=127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+"), bootstrapLine);
        Matcher s = REGISTRY.matcher(registryLine);
        assertTrue(s.matches(), registryLine);
        String url = "http://127.0.0.1:" + s.group(1);
        List<ProcessHandle> nodes = r.process().descendants().toList();
        assertEquals(3, nodes.size(), "three broker JVMs under the stack: " + nodes);

        HttpResponse<String> anonymous = send(HttpRequest.newBuilder(URI.create(url + "/subjects")).GET());
        assertEquals(401, anonymous.statusCode());
        assertTrue(anonymous.body().contains("40101"), anonymous.body());
        for (String userInfo : List.of("alice:from-the-file", "ops:from-the-env")) {
            String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> reg = send(HttpRequest.newBuilder(URI.create(url + "/subjects/cluster-value/versions")).header("Authorization", basic)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"\\\"string\\\"\"}")));
            assertEquals(200, reg.statusCode(), userInfo.split(":")[0] + ": " + reg.body());
        }

        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                java.util.Map.of("bootstrap.servers", bootstrapLine.substring("bootstrap.servers=".length())))) {
            for (String topic : List.of("_schemas", "radiographs")) {
                var d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
                assertEquals(3, d.partitions().get(0).replicas().size(), topic);
                var res = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
                assertEquals("2", admin.describeConfigs(List.of(res)).all().get(30, TimeUnit.SECONDS).get(res).get("min.insync.replicas").value(), topic);
            }
        }

        stop(r);
        for (ProcessHandle n : nodes) {
            assertTrue(n.onExit().completeOnTimeout(n, 30, TimeUnit.SECONDS).get() != null && !n.isAlive(), "broker JVM " + n.pid() + " stopped");
        }
        try (var left = Files.list(tmp.resolve("jvm-tmp"))) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("triage-kafka-")), "no temp broker dirs left");
        }
    }
}
