package org.triage.schemas.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The trust store an https registry's certificate is verified against
 * ({@code schema.registry.ssl.truststore.location / .password / .type}, Confluent's names).
 * Without one the JDK's default CAs apply. The host name is always verified (the certificate must
 * name the host of the URL, e.g. a subjectAltName {@code ip:127.0.0.1}).
 */
public record RegistryTrustStore(Path location, String password, String type) {
    public static final String LOCATION = "schema.registry.ssl.truststore.location";
    public static final String PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TYPE = "schema.registry.ssl.truststore.type";

    /** An SSL context trusting exactly this store's certificates; a clear message when the store cannot be read. */
    public SSLContext sslContext() {
        if (!Files.isRegularFile(location)) {
            throw new IllegalArgumentException(LOCATION + "=" + location + ": file not found (a JKS or PKCS12 trust store holding the registry's CA)");
        }
        String storeType = type == null || type.isBlank() ? KeyStore.getDefaultType() : type.trim();
        try (InputStream in = Files.newInputStream(location)) {
            KeyStore ks = KeyStore.getInstance(storeType);
            ks.load(in, password == null ? null : password.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(LOCATION + "=" + location + ": cannot load it as a " + storeType
                    + " trust store (wrong " + PASSWORD + " or " + TYPE + "?): " + e.getMessage(), e);
        }
    }

    /** Never the password. */
    @Override
    public String toString() {
        return "RegistryTrustStore[" + location + (type == null ? "" : ", " + type) + "]";
    }
}
