package dev.copyservices.agent.nbd;

/**
 * The export exists but this client may not use it (it is not attached to the client's host). The
 * message goes to the client with NBD_REP_ERR_POLICY, so it says what to do.
 */
public final class ExportRefusedException extends Exception {
    public ExportRefusedException(String message) {
        super(message);
    }
}
