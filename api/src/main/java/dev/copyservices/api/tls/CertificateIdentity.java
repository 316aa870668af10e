package dev.copyservices.api.tls;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * The identity a certificate carries: its role (subject O=) and name (subject CN=; for an array
 * agent, its site). {@code role} is empty when O= names no role, so that callers can say which
 * roles they expected instead of failing on parse.
 */
public record CertificateIdentity(Optional<Role> role, String organization, String name, Instant notAfter) {

    public static CertificateIdentity of(X509Certificate certificate) {
        String organization = "";
        String commonName = "";
        try {
            LdapName subject = new LdapName(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253));
            for (Rdn rdn : subject.getRdns()) {
                if (rdn.getType().equalsIgnoreCase("O") && organization.isEmpty()) {
                    organization = rdn.getValue().toString();
                } else if (rdn.getType().equalsIgnoreCase("CN") && commonName.isEmpty()) {
                    commonName = rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            // an unparsable subject has no role; the caller refuses it with the subject in its message
        }
        return new CertificateIdentity(Role.ofSubjectName(organization), organization, commonName,
                certificate.getNotAfter().toInstant());
    }

    /** "O=csi, CN=node-1": how messages and logs name the holder (never any key material). */
    public String describe() {
        return "O=" + (organization.isEmpty() ? "(none)" : organization) + ", CN=" + (name.isEmpty() ? "(none)" : name);
    }

    public boolean hasRole(Role wanted) {
        return role.isPresent() && role.get() == wanted;
    }
}
