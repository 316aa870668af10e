package dev.copyservices.agent.grpc;

import dev.copyservices.agent.array.ArrayEngine;
import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.ArrayServiceGrpc;
import dev.copyservices.api.agent.v1.GetArrayRequest;
import io.grpc.stub.StreamObserver;

final class ArrayGrpcService extends ArrayServiceGrpc.ArrayServiceImplBase {
    private final ArrayEngine array;

    ArrayGrpcService(ArrayEngine array) {
        this.array = array;
    }

    @Override
    public void getArray(GetArrayRequest request, StreamObserver<Array> observer) {
        Unary.answer(observer, () -> ProtoMapper.toProto(array.info()));
    }
}
