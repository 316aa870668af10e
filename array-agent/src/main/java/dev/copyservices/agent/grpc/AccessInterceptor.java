package dev.copyservices.agent.grpc;

import dev.copyservices.agent.security.AccessPolicy;
import dev.copyservices.api.tls.CertificateIdentity;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.logging.Logger;

/**
 * Refuses, with PERMISSION_DENIED and the policy's correction, a call the caller's certificate does
 * not allow, before any service sees it. One instance guards the control port, one the replication port.
 */
final class AccessInterceptor implements ServerInterceptor {
    private static final Logger LOG = Logger.getLogger(AccessInterceptor.class.getName());
    private static final ServerCall.Listener<Object> NOTHING = new ServerCall.Listener<>() {
    };

    private final String port;
    private final BiFunction<CertificateIdentity, String, Optional<AccessPolicy.Denial>> rule;

    private AccessInterceptor(String port, BiFunction<CertificateIdentity, String, Optional<AccessPolicy.Denial>> rule) {
        this.port = port;
        this.rule = rule;
    }

    static AccessInterceptor control(AccessPolicy policy) {
        return new AccessInterceptor("control", policy::control);
    }

    static AccessInterceptor replication(AccessPolicy policy) {
        return new AccessInterceptor("replication", (caller, service) -> policy.replication(caller));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        String service = call.getMethodDescriptor().getServiceName();
        Optional<CertificateIdentity> caller = CallerIdentity.of(call);
        Optional<AccessPolicy.Denial> denial = caller.isEmpty()
                ? Optional.of(new AccessPolicy.Denial("the call came without a client certificate",
                        "connect with mutual TLS: --tls-cert, --tls-key and --tls-ca"))
                : rule.apply(caller.get(), service);
        if (denial.isEmpty()) {
            return next.startCall(call, headers);
        }
        LOG.warning("refused on the " + port + " port: " + call.getMethodDescriptor().getFullMethodName() + ": "
                + denial.get().message());
        StatusRuntimeException refused = Errors.permissionDenied(denial.get().message(), denial.get().correction());
        call.close(refused.getStatus(), refused.getTrailers() == null ? new Metadata() : refused.getTrailers());
        return (ServerCall.Listener<Q>) NOTHING;
    }
}
