package org.triage.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.triage.schemas.kafka.KafkaClientProperties;
import org.triage.schemas.serde.AvroSerdeConfig;
import org.triage.schemas.testing.SelfSignedCert;

/** An https registry that requires basic auth, with a certificate made by keytool at test time. */
class RegistryTlsAuthTest {
    @TempDir
    static Path dir;
    static SelfSignedCert cert;
    static SelfSignedCert stranger;
    static HttpsServer server;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        cert = SelfSignedCert.create(dir, "registry");
        stranger = SelfSignedCert.create(dir, "stranger");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(cert.keyStore())) {
            ks.load(in, cert.password().toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, cert.password().toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        String expected = "Basic " + Base64.getEncoder().encodeToString("svc:s3cret".getBytes(StandardCharsets.UTF_8));
        server.createContext("/", ex -> {
            byte[] body;
            int status;
            if (expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                status = 200;
                body = "[\"radiographs-value\"]".getBytes(StandardCharsets.UTF_8);
            } else {
                status = 401;
                body = "{\"error_code\":401,\"message\":\"Unauthorized\"}".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"registry\"");
            }
            ex.getResponseHeaders().set("Content-Type", SchemaRegistryClient.CONTENT_TYPE);
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        url = "https://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    /** The settings as a Kafka client file would carry them. */
    private static SchemaRegistryClient client(SelfSignedCert trust, String userInfo) {
        Map<String, Object> file = new java.util.HashMap<>();
        file.put(RegistryTrustStore.LOCATION, trust.trustStore().toString());
        file.put(RegistryTrustStore.PASSWORD, trust.password());
        file.put(RegistryTrustStore.TYPE, "PKCS12");
        file.put("max.retries", 0);
        if (userInfo != null) {
            file.put("schema.registry.basic.auth.user.info", userInfo);
            file.put("basic.auth.credentials.source", "USER_INFO");
        }
        Map<String, Object> serde = KafkaClientProperties.of(file).serdeConfig(url);
        serde.put("max.retries", 0);
        return AvroSerdeConfig.from(serde, false).newClient();
    }

    @Test
    void withTrustedCertAndCredentialsItAnswers() {
        assertEquals(List.of("radiographs-value"), client(cert, "svc:s3cret").getSubjects());
    }

    @Test
    void withoutCredentials401SaysWhatToSet() {
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client(cert, null).getSubjects());
        assertEquals(401, e.httpStatus());
        assertTrue(e.getMessage().contains("401 Unauthorized") && e.getMessage().contains("basic.auth.user.info"), e.getMessage());
    }

    @Test
    void wrongPasswordNamesTheUser() {
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client(cert, "svc:wrong").getSubjects());
        assertEquals(401, e.httpStatus());
        assertTrue(e.getMessage().contains("user 'svc' was not accepted: check the password"), e.getMessage());
        assertTrue(!e.getMessage().contains("wrong"), "the password never appears in a message");
    }

    @Test
    void untrustedCertificateIsOneClearLineAndNotRetried() {
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client(stranger, "svc:s3cret").getSubjects());
        assertEquals(SchemaRegistryException.TLS_FAILURE, e.httpStatus());
        assertTrue(e.getMessage().contains("TLS handshake failed") && e.getMessage().contains("not trusted"), e.getMessage());
        assertTrue(!e.isRetryable());
        // Without a trust store the JDK's CAs apply, and they do not know a self-signed certificate either.
        SchemaRegistryClient plain = new SchemaRegistryClient(url,
                RegistryClientConfig.defaults().withUserInfo("svc:s3cret").withRetries(0, Duration.ofMillis(1), Duration.ofMillis(1)));
        SchemaRegistryException e2 = assertThrows(SchemaRegistryException.class, plain::getSubjects);
        assertTrue(e2.getMessage().contains("set schema.registry.ssl.truststore.location"), e2.getMessage());
    }

    @Test
    void credentialsFromTheUrlAreSentAsAHeaderAndNeverShown() {
        Map<String, Object> serde = KafkaClientProperties.of(Map.of(RegistryTrustStore.LOCATION, cert.trustStore().toString(),
                RegistryTrustStore.PASSWORD, cert.password(), "basic.auth.credentials.source", "URL"))
                .serdeConfig("https://svc:s3cret@127.0.0.1:" + server.getAddress().getPort());
        SchemaRegistryClient c = AvroSerdeConfig.from(serde, false).newClient();
        assertEquals(List.of("radiographs-value"), c.getSubjects());
        assertTrue(!c.url().contains("s3cret"), c.url());
    }

    @Test
    void unreadableTrustStoreIsAConfigError() {
        Map<String, Object> serde = KafkaClientProperties.of(Map.of(RegistryTrustStore.LOCATION, dir.resolve("nope.p12").toString()))
                .serdeConfig(url);
        Exception e = assertThrows(RuntimeException.class, () -> AvroSerdeConfig.from(serde, false).newClient());
        assertTrue(e.getMessage().contains("schema.registry.ssl.truststore.location") && e.getMessage().contains("file not found"), e.getMessage());
    }
}
