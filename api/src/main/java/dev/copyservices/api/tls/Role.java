package dev.copyservices.api.tls;

import java.util.Arrays;
import java.util.Optional;

/**
 * Who a certificate speaks for, named by the certificate subject's organization (O), as Kubernetes
 * reads groups from client certificates. The agent grants each role only the services it uses.
 */
public enum Role {
    /** An array agent: serves the control API and, to the agents of its peer site, the replication link. */
    ARRAY_AGENT("array-agent"),
    /** The operator: reconciles every kind of copy service, so it may call every control service. */
    OPERATOR("operator"),
    /** The CSI driver: volumes, snapshots and clones, not mirrors. */
    CSI("csi"),
    /** A person with csctl: everything the control API offers. */
    CLI_ADMIN("cli-admin");

    private final String subjectName;

    Role(String subjectName) {
        this.subjectName = subjectName;
    }

    /** The value of O= in the certificate subject. */
    public String subjectName() {
        return subjectName;
    }

    public static Optional<Role> ofSubjectName(String name) {
        return Arrays.stream(values()).filter(r -> r.subjectName.equals(name)).findFirst();
    }

    /** The subject names, for error messages that list what is accepted. */
    public static String allSubjectNames() {
        return String.join(", ", Arrays.stream(values()).map(Role::subjectName).toList());
    }

    @Override
    public String toString() {
        return subjectName;
    }
}
