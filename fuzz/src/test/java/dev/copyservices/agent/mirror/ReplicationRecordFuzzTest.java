package dev.copyservices.agent.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.copyservices.api.agent.v1.ReplicationRecord;
import java.math.BigInteger;

/**
 * The replication stream's records as a secondary decodes them: whatever bytes arrive, a record is
 * applied only when its whole range (uint64 offset and length, as on the wire) lies in the volume.
 */
class ReplicationRecordFuzzTest {
    private static final long VOLUME = 1L << 20;

    @FuzzTest(maxDuration = "20s")
    void aDecodedRecordPassesTheBoundsCheckOnlyWhenItsRangeIsInsideTheVolume(byte[] bytes) {
        ReplicationRecord record;
        try {
            record = ReplicationRecord.parseFrom(bytes);
        } catch (InvalidProtocolBufferException notARecord) {
            return;
        }
        long length = record.getKind() == ReplicationRecord.Kind.WRITE ? record.getData().size() : record.getLength();
        BigInteger end = new BigInteger(Long.toUnsignedString(record.getOffset()))
                .add(new BigInteger(Long.toUnsignedString(length)));
        boolean inside = end.compareTo(BigInteger.valueOf(VOLUME)) <= 0;
        assertEquals(inside, RecordBounds.outside("a record", record.getOffset(), length, VOLUME) == null,
                "offset " + Long.toUnsignedString(record.getOffset()) + " length " + Long.toUnsignedString(length));
    }
}
