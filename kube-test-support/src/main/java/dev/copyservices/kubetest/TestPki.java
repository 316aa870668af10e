package dev.copyservices.kubetest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A throw-away PKI for the components' mutual TLS (the tests' and the local two-site environment's),
 * made with the openssl command line in a directory: a CA, a key (PKCS#8 PEM) and a CA-signed
 * certificate per identity, and an unrelated "rogue" CA with a certificate of its own for tests that
 * must be refused. A certificate's subject is O=role, CN=name, the roles being array-agent (CN = the
 * agent's site), operator, csi and cli-admin. Leaf certificates also name IP:127.0.0.1 and
 * DNS:localhost.
 */
public final class TestPki {
    /** A certificate and its private key, both PEM files. */
    public record Identity(String name, Path cert, Path key) {
    }

    private static final String LEAF_EXTENSIONS = """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth, clientAuth
            subjectAltName = IP:127.0.0.1, DNS:localhost
            """;
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** The CA's file name stem: its certificate is {@code it-ca.pem} in the directory. */
    public static final String CA_NAME = "it-ca";

    private final Path dir;
    private final int validDays;
    private final Identity ca;
    private final Identity rogueCa;
    private final Map<String, Identity> agents = new LinkedHashMap<>();
    private Identity rogue;

    private TestPki(Path dir, int validDays) throws IOException, InterruptedException {
        this.dir = dir;
        this.validDays = validDays;
        Files.writeString(dir.resolve("leaf.ext"), LEAF_EXTENSIONS);
        this.ca = newCa(CA_NAME);
        this.rogueCa = newCa("rogue-ca");
    }

    /** Creates the two CAs in {@code dir} and an identity signed by the CA for each of {@code agents}. */
    public static TestPki create(Path dir, String... agents) throws IOException, InterruptedException {
        return create(dir, 90, agents); // longer than the agents' 30-day expiry warning
    }

    /** As {@link #create(Path, String...)}, with certificates valid for {@code validDays}. */
    public static TestPki create(Path dir, int validDays, String... agents) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        TestPki pki = new TestPki(dir, validDays);
        for (String agent : agents) {
            pki.agent(agent);
        }
        return pki;
    }

    /** The CA every agent trusts (--tls-ca). */
    public Path caCert() {
        return ca.cert();
    }

    /** The unrelated CA; no agent trusts it. */
    public Path rogueCaCert() {
        return rogueCa.cert();
    }

    /** The array agent identity (O=array-agent) of site {@code name}, signed by the CA; made on first use. */
    public synchronized Identity agent(String name) throws IOException, InterruptedException {
        return identity("array-agent", name);
    }

    /**
     * The identity O={@code role}, CN={@code name}, signed by the CA; made on first use. Its files are
     * named after both, e.g. {@code csi-node-1.pem}; an agent's only after its name.
     */
    public synchronized Identity identity(String role, String name) throws IOException, InterruptedException {
        String file = role.equals("array-agent") ? name : role + "-" + name;
        Identity identity = agents.get(file);
        if (identity == null) {
            identity = leaf(file, role, name, ca, validDays);
            agents.put(file, identity);
        }
        return identity;
    }

    /**
     * Replaces the certificate of {@code identity} in place (same files, same subject, a new serial and
     * key) valid for {@code days} from now: a rotation as cert-manager does it.
     */
    public synchronized Identity renew(Identity identity, int days) throws IOException, InterruptedException {
        String subject = TestPki.openssl("x509", "-in", identity.cert().toString(), "-noout", "-subject",
                "-nameopt", "RFC2253").trim().replaceFirst("^subject=", "");
        String role = subject.replaceAll(".*O=([^,]*).*", "$1");
        String name = subject.replaceAll(".*CN=([^,]*).*", "$1");
        String file = identity.cert().getFileName().toString().replaceFirst("\\.pem$", "");
        Identity renewed = leaf(file, role, name, ca, days);
        agents.put(file, renewed);
        return renewed;
    }

    /** An array agent identity signed by the rogue CA; made on first use. */
    public synchronized Identity rogue() throws IOException, InterruptedException {
        if (rogue == null) {
            rogue = leaf("rogue", "array-agent", "rogue", rogueCa, validDays);
        }
        return rogue;
    }

    /** The command-line arguments (agent, CLI or CSI driver) for this identity, trusting the CA. */
    public List<String> agentArgs(Identity identity) {
        return List.of("--tls-cert", identity.cert().toString(), "--tls-key", identity.key().toString(), "--tls-ca",
                caCert().toString());
    }

    public Path dir() {
        return dir;
    }

    private Identity newCa(String name) throws IOException, InterruptedException {
        Path key = newKey(name);
        Path cert = dir.resolve(name + ".pem");
        openssl("req", "-x509", "-new", "-key", key.toString(), "-sha256", "-days", Integer.toString(validDays), "-subj", "/CN=" + name,
                "-set_serial", serial(), "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
                "keyUsage=critical,keyCertSign,cRLSign", "-out", cert.toString());
        return new Identity(name, cert, key);
    }

    private Identity leaf(String file, String role, String name, Identity issuer, int days)
            throws IOException, InterruptedException {
        // written beside the files and moved over them, so that a reader never sees half a rotation
        Path key = newKey(file + ".next");
        Path csr = dir.resolve(file + ".csr");
        Path cert = dir.resolve(file + ".next.pem");
        openssl("req", "-new", "-key", key.toString(), "-subj", "/O=" + role + "/CN=" + name, "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", issuer.cert().toString(), "-CAkey",
                issuer.key().toString(), "-set_serial", serial(), "-sha256", "-days", Integer.toString(days), "-extfile",
                dir.resolve("leaf.ext").toString(), "-out", cert.toString());
        Files.delete(csr);
        Path finalKey = dir.resolve(file + ".key");
        Path finalCert = dir.resolve(file + ".pem");
        Files.move(key, finalKey, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Files.move(cert, finalCert, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new Identity(name, finalCert, finalKey);
    }

    /** An RSA key; genpkey writes PKCS#8 ("BEGIN PRIVATE KEY"), which the agent reads. */
    private Path newKey(String name) throws IOException, InterruptedException {
        Path key = dir.resolve(name + ".key");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key.toString());
        return key;
    }

    private static String serial() {
        return Long.toString(SERIAL.incrementAndGet());
    }

    /** Runs openssl with the arguments and answers what it printed; fails with that when it exits non-zero. */
    public static String openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + exit + ":\n" + output);
        }
        return output;
    }
}
