package org.triage.schemas.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 made at test time with the JDK's keytool (nothing is
 * checked in): a PKCS12 key store for the server and a trust store holding only its certificate.
 */
public record SelfSignedCert(Path keyStore, Path trustStore, String password) {

    public static SelfSignedCert create(Path dir, String alias) throws IOException, InterruptedException {
        String pw = "changeit-" + alias;
        Path ks = dir.resolve(alias + "-server.p12");
        Path pem = dir.resolve(alias + ".pem");
        Path ts = dir.resolve(alias + "-trust.p12");
        keytool("-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", ks.toString(), "-storetype", "PKCS12",
                "-storepass", pw, "-keypass", pw);
        keytool("-exportcert", "-alias", alias, "-keystore", ks.toString(), "-storepass", pw, "-rfc", "-file", pem.toString());
        keytool("-importcert", "-noprompt", "-alias", alias, "-file", pem.toString(), "-keystore", ts.toString(),
                "-storetype", "PKCS12", "-storepass", pw);
        return new SelfSignedCert(ks, ts, pw);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
