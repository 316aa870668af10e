package dev.copyservices.csi.agent;

import dev.copyservices.csi.common.CsiError;

/** The agent's refusals in CSI's codes, with the agent's message and hint. */
public final class AgentErrors {
    private AgentErrors() {
    }

    public static CsiError toCsi(String action, AgentException e) {
        CsiError.Code code = switch (e.category()) {
            case "INVALID_ARGUMENT" -> CsiError.Code.INVALID_ARGUMENT;
            case "NOT_FOUND" -> CsiError.Code.NOT_FOUND;
            case "ALREADY_EXISTS" -> CsiError.Code.ALREADY_EXISTS;
            case "FAILED_PRECONDITION" -> CsiError.Code.FAILED_PRECONDITION;
            case "RESOURCE_EXHAUSTED" -> CsiError.Code.RESOURCE_EXHAUSTED;
            case "UNAVAILABLE", "DEADLINE_EXCEEDED" -> CsiError.Code.UNAVAILABLE;
            default -> CsiError.Code.INTERNAL;
        };
        return new CsiError(code, action + ": " + e.describe(), e);
    }
}
