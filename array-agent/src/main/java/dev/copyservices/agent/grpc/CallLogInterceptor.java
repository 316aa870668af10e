package dev.copyservices.agent.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.logging.Logger;

/** One log line per control call (the copyservices.* services): method, caller, outcome, duration. */
final class CallLogInterceptor implements ServerInterceptor {
    private static final Logger LOG = Logger.getLogger("dev.copyservices.agent.calls");

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        if (call.getMethodDescriptor().getServiceName() != null
                && !call.getMethodDescriptor().getServiceName().startsWith("copyservices.")) {
            return next.startCall(call, headers); // health probes and reflection would drown the log
        }
        long start = System.nanoTime();
        Object address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        // the certificate's subject names the caller; nothing else of the TLS session is logged
        String peer = CallerIdentity.of(call).map(id -> address + " [" + id.describe() + "]")
                .orElse(String.valueOf(address));
        String method = call.getMethodDescriptor().getFullMethodName();
        ServerCall<Q, A> logging = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                long micros = (System.nanoTime() - start) / 1000;
                LOG.info(String.format("call %s from %s: %s%s in %d.%03d ms", method, peer, status.getCode(),
                        status.getDescription() == null ? "" : " (" + status.getDescription() + ")",
                        micros / 1000, micros % 1000));
                super.close(status, trailers);
            }
        };
        return next.startCall(logging, headers);
    }
}
