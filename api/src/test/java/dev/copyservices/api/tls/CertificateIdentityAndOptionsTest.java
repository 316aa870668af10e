package dev.copyservices.api.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.kubetest.TestPki;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateIdentityAndOptionsTest {

    @Test
    void identityIsTheSubjectsOrganizationAsRoleAndItsCommonNameAsName(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir, "site-a");
        CertificateIdentity agent = CertificateIdentity.of(read(pki.agent("site-a").cert()));
        assertEquals(Optional.of(Role.ARRAY_AGENT), agent.role());
        assertEquals("site-a", agent.name());
        CertificateIdentity csi = CertificateIdentity.of(read(pki.identity("csi", "node-1").cert()));
        assertTrue(csi.hasRole(Role.CSI));
        assertEquals("O=csi, CN=node-1", csi.describe());
        CertificateIdentity stranger = CertificateIdentity.of(read(pki.identity("accounting", "bob").cert()));
        assertEquals(Optional.empty(), stranger.role());
        assertEquals("O=accounting, CN=bob", stranger.describe());
    }

    @Test
    void optionsNeedAllThreeFilesOrInsecureDevAndNeverBoth(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f.pem"), "x");
        assertNull(TlsFiles.fromOptions(null, null, null, true));
        assertEquals(file, TlsFiles.fromOptions(file, file, file, false).certificate());
        assertMessage("--insecure-dev for a laptop", () -> TlsFiles.fromOptions(null, null, null, false));
        assertMessage("give all three", () -> TlsFiles.fromOptions(file, null, file, false));
        assertMessage("not both", () -> TlsFiles.fromOptions(file, file, file, true));
        assertMessage("cannot be read", () -> TlsFiles.fromOptions(dir.resolve("missing.pem"), file, file, false));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
