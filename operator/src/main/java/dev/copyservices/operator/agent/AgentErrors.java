package dev.copyservices.operator.agent;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.copyservices.api.agent.v1.ErrorDetail;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Locale;

/** Turns a gRPC failure into an {@link AgentException}: the agent's own ErrorDetail wins when it sent one. */
public final class AgentErrors {
    private AgentErrors() {
    }

    public static AgentException from(String endpoint, StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        if (status != null) {
            for (com.google.protobuf.Any any : status.getDetailsList()) {
                if (any.is(ErrorDetail.class)) {
                    try {
                        ErrorDetail detail = any.unpack(ErrorDetail.class);
                        return new AgentException(camelCase(detail.getReason()), detail.getMessage(), detail.getCorrection(), e,
                                e.getStatus().getCode() == Status.Code.NOT_FOUND);
                    } catch (InvalidProtocolBufferException ignored) {
                        // fall through to the status code
                    }
                }
            }
        }
        Status.Code code = e.getStatus().getCode();
        String description = e.getStatus().getDescription() != null ? e.getStatus().getDescription() : code.name();
        return switch (code) {
            case UNAVAILABLE -> new AgentException("AgentUnreachable",
                    "cannot reach the agent at " + endpoint + ": " + description,
                    "check that the agent runs and listens there (its --listen address) and that the endpoint is right", e);
            case DEADLINE_EXCEEDED -> new AgentException("AgentTimeout",
                    "the agent at " + endpoint + " did not answer in time",
                    "check the agent's load and the network between the operator and it", e);
            case UNIMPLEMENTED -> new AgentException("AgentTooOld",
                    "the agent at " + endpoint + " does not offer this call: " + description,
                    "upgrade the agent to the operator's version", e);
            default -> new AgentException(camelCase(code.name()),
                    "the agent at " + endpoint + " answered " + code + ": " + description, "", e, code == Status.Code.NOT_FOUND);
        };
    }

    /** VOLUME_NOT_FOUND -> VolumeNotFound: the agent's reasons as Kubernetes condition reasons. */
    public static String camelCase(String upperSnake) {
        StringBuilder out = new StringBuilder();
        for (String word : upperSnake.toLowerCase(Locale.ROOT).split("_")) {
            if (!word.isEmpty()) {
                out.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
            }
        }
        return out.isEmpty() ? "Unknown" : out.toString();
    }
}
