package dev.copyservices.agent.grpc;

import dev.copyservices.agent.array.ArrayEngine;
import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.ArrayServiceGrpc;
import dev.copyservices.api.agent.v1.GetArrayRequest;
import dev.copyservices.agent.security.TransportSecurity;
import dev.copyservices.api.agent.v1.Security;
import com.google.protobuf.util.Timestamps;
import io.grpc.stub.StreamObserver;
import java.time.Instant;

final class ArrayGrpcService extends ArrayServiceGrpc.ArrayServiceImplBase {
    private final ArrayEngine array;
    private final TransportSecurity security;

    ArrayGrpcService(ArrayEngine array, TransportSecurity security) {
        this.array = array;
        this.security = security;
    }

    @Override
    public void getArray(GetArrayRequest request, StreamObserver<Array> observer) {
        Unary.answer(observer, () -> {
            Array.Builder answer = ProtoMapper.toProto(array.info()).toBuilder().setSecurity(security());
            security.expiryAttention(Instant.now()).ifPresent(answer::addNeedsAttention);
            return answer.build();
        });
    }

    private Security security() {
        Security.Builder report = Security.newBuilder().setMode(security.insecure() ? "insecure-dev" : "mutual-tls")
                .addAllPeerSites(security.policy().peerSites().stream().sorted().toList());
        security.tls().ifPresent(tls -> report.setIdentity(tls.identity().describe())
                .setCertificateNotAfter(Timestamps.fromMillis(tls.certificate().getNotAfter().getTime())));
        return report.build();
    }
}
