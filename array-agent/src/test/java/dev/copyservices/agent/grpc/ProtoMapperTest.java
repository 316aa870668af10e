package dev.copyservices.agent.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.copyservices.agent.array.ArrayInfo;
import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.array.CopyServiceFigures;
import dev.copyservices.agent.flashcopy.CreateFlashCopy;
import dev.copyservices.agent.flashcopy.FlashCopyInfo;
import dev.copyservices.agent.flashcopy.FlashCopyState;
import dev.copyservices.agent.flashcopy.FullPolicy;
import dev.copyservices.agent.volume.Attachment;
import dev.copyservices.agent.volume.VolumeInfo;
import dev.copyservices.agent.volume.VolumeKind;
import dev.copyservices.api.agent.v1.Counts;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.Repository;
import dev.copyservices.api.agent.v1.Volume;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Engine records to messages and requests to engine arguments. */
class ProtoMapperTest {

    private static final long MIB = 1L << 20;
    static final Instant POINT_IN_TIME = Instant.parse("2026-03-01T10:15:30.250Z");
    static final Instant CREATED = Instant.parse("2026-02-28T08:00:00Z");

    static FlashCopyInfo.RepositoryInfo repository(Optional<Duration> life) {
        return new FlashCopyInfo.RepositoryInfo("db-R1", 200 * MIB, 25 * MIB, 175 * MIB, 12.5, 50, false,
                FullPolicy.FAIL_BASE_WRITES, 65536, 192 * 1024 + 512, life, 400);
    }

    static FlashCopyInfo sample() {
        return new FlashCopyInfo("db-1", "fc-id", "db", FlashCopyState.OPTIMAL, POINT_IN_TIME, CREATED, 1024 * MIB,
                repository(Optional.of(Duration.ofHours(30).plusMillis(500))), 2, "");
    }

    @Test
    void flashCopyCarriesEveryFieldIncludingTheRepository() {
        FlashCopy expected = FlashCopy.newBuilder()
                .setName("db-1").setId("fc-id").setBase("db").setState(dev.copyservices.api.agent.v1.FlashCopyState.OPTIMAL)
                .setPointInTime(Timestamp.newBuilder().setSeconds(POINT_IN_TIME.getEpochSecond()).setNanos(250_000_000))
                .setCreated(Timestamp.newBuilder().setSeconds(CREATED.getEpochSecond()))
                .setSizeBytes(1024 * MIB)
                .setNbdConnections(2)
                .setRepository(Repository.newBuilder()
                        .setName("db-R1").setCapacityBytes(200 * MIB).setUsedBytes(25 * MIB).setAvailableBytes(175 * MIB)
                        .setUsedPercent(12.5).setWarningThresholdPercent(50).setThresholdExceeded(false)
                        .setFullPolicy(dev.copyservices.api.agent.v1.FullPolicy.FAIL_BASE_WRITES)
                        .setChunkBytes(65536).setOverheadEstimateBytes(192 * 1024 + 512)
                        .setLifeEstimate(com.google.protobuf.Duration.newBuilder().setSeconds(30 * 3600).setNanos(500_000_000)))
                .build();
        assertEquals(expected, ProtoMapper.toProto(sample()));
    }

    @Test
    void lifeEstimateIsAbsentWhenTheEngineHasNone() {
        FlashCopyInfo fresh = new FlashCopyInfo("db-1", "fc-id", "db", FlashCopyState.OPTIMAL, POINT_IN_TIME, CREATED,
                MIB, repository(Optional.empty()), 0, "");
        assertFalse(ProtoMapper.toProto(fresh).getRepository().hasLifeEstimate());
    }

    @Test
    void failedFlashCopyCarriesItsFailureAndANullFailureIsEmpty() {
        FlashCopyInfo failed = new FlashCopyInfo("db-1", "fc-id", "db", FlashCopyState.FAILED, POINT_IN_TIME, CREATED,
                MIB, repository(Optional.empty()), 0, "the repository filled");
        FlashCopy f = ProtoMapper.toProto(failed);
        assertEquals(dev.copyservices.api.agent.v1.FlashCopyState.FAILED, f.getState());
        assertEquals("the repository filled", f.getFailure());

        FlashCopyInfo noFailure = new FlashCopyInfo("db-1", "fc-id", "db", FlashCopyState.DISABLED, null, CREATED,
                MIB, repository(Optional.empty()), 0, null);
        assertEquals("", ProtoMapper.toProto(noFailure).getFailure());
        assertFalse(ProtoMapper.toProto(noFailure).hasPointInTime(), "an unknown time is unset, not the epoch");
    }

    @Test
    void everyStateAndPolicyHasItsProtoValue() {
        for (FlashCopyState s : FlashCopyState.values()) {
            assertEquals(s.name(), ProtoMapper.toProto(s).name());
        }
        for (FullPolicy p : FullPolicy.values()) {
            assertEquals(p.name(), ProtoMapper.toProto(p).name());
            assertEquals(p, ProtoMapper.fromProto(ProtoMapper.toProto(p)));
        }
    }

    @Test
    void volumeCarriesKindAndBase() {
        Volume standard = ProtoMapper.toProto(new VolumeInfo("db", "v1", MIB, 0, false, Map.of(), CREATED, 0,
                VolumeKind.STANDARD, "", "", "", List.of()));
        assertEquals(dev.copyservices.api.agent.v1.VolumeKind.STANDARD, standard.getKind());
        assertEquals("", standard.getBase());

        Volume flashCopy = ProtoMapper.toProto(new VolumeInfo("db-1", "v2", MIB, 0, false, Map.of(), CREATED, 1,
                VolumeKind.FLASHCOPY, "db", "", "", List.of()));
        assertEquals(dev.copyservices.api.agent.v1.VolumeKind.FLASHCOPY, flashCopy.getKind());
        assertEquals("db", flashCopy.getBase());
    }

    @Test
    void volumeCarriesWhyItIsAnIncompleteCopyAndNothingOtherwise() {
        Volume incomplete = ProtoMapper.toProto(new VolumeInfo("db-copy", "v3", MIB, 0, false, Map.of(), CREATED, 0,
                VolumeKind.STANDARD, "", "withdrawn with 12 of 16 regions copied", "", List.of()));
        assertEquals("withdrawn with 12 of 16 regions copied", incomplete.getIncompleteCopy());

        Volume complete = ProtoMapper.toProto(new VolumeInfo("db", "v1", MIB, 0, false, Map.of(), CREATED, 0,
                VolumeKind.STANDARD, "", null, null, List.of()));
        assertEquals("", complete.getIncompleteCopy());
        assertEquals("", complete.getAccessRestriction());
    }

    @Test
    void volumeCarriesTheHostsItIsAttachedTo() {
        Volume attached = ProtoMapper.toProto(new VolumeInfo("db", "v1", MIB, 0, false, Map.of(), CREATED, 0,
                VolumeKind.STANDARD, "", "", "", List.of(new Attachment("node-1", List.of("10.0.0.5", "fd00::5")))));
        assertEquals(1, attached.getAttachmentsCount());
        assertEquals("node-1", attached.getAttachments(0).getHost());
        assertEquals(List.of("10.0.0.5", "fd00::5"), attached.getAttachments(0).getAddressesList());
    }

    @Test
    void volumeCarriesWhatRestrictsHostAccess() {
        Volume restricted = ProtoMapper.toProto(new VolumeInfo("db", "v1", MIB, 0, false, Map.of(), CREATED, 0,
                VolumeKind.STANDARD, "", "", "read-only: source of VolumeCopy onto 'db-copy' (InProgress)", List.of()));
        assertEquals("read-only: source of VolumeCopy onto 'db-copy' (InProgress)", restricted.getAccessRestriction());
    }

    @Test
    void arrayCountsEveryKindOfCopyApart() {
        ArrayInfo info = new ArrayInfo("a1", "lab", "rack 3", "dev", "127.0.0.1:10809", 100 * MIB, 50 * MIB,
                20 * MIB, 5 * MIB, ArrayLimits.defaults(), 9, 2,
                new CopyServiceFigures(5, 3, 7, 4, List.of("volumecopy"), List.of("VolumeCopy 'a' -> 'b' failed")),
                List.of("flashcopy"));
        dev.copyservices.api.agent.v1.Array array = ProtoMapper.toProto(info);
        assertEquals(Counts.newBuilder().setVolumes(9).setFlashcopies(2).setFlashcopyRelationships(5)
                .setFlashcopyGroups(3).setVolumeCopies(7).setCopiesInProgress(4).build(), array.getCounts());
        assertEquals(List.of("volumecopy"), array.getFeaturesOutOfComplianceList());
        assertEquals(List.of("VolumeCopy 'a' -> 'b' failed"), array.getNeedsAttentionList());
    }

    @Test
    void createRequestWithOnlyABaseLeavesEveryDefaultToTheEngine() {
        assertEquals(CreateFlashCopy.of("db"), ProtoMapper.fromProto(CreateFlashCopyRequest.newBuilder().setBase("db").build()));
    }

    @Test
    void createRequestPassesEveryGivenValue() {
        CreateFlashCopyRequest request = CreateFlashCopyRequest.newBuilder()
                .setBase("db").setName("nightly").setRepositoryName("nightly-repo")
                .setRepositoryCapacityBytes(64 * MIB).setWarningThresholdPercent(80)
                .setFullPolicy(dev.copyservices.api.agent.v1.FullPolicy.FAIL_BASE_WRITES)
                .putAttributes("app", "db")
                .build();
        assertEquals(new CreateFlashCopy("db", "nightly", "nightly-repo", null, 64 * MIB, 80,
                FullPolicy.FAIL_BASE_WRITES, Map.of("app", "db")), ProtoMapper.fromProto(request));

        CreateFlashCopy byPercent = ProtoMapper.fromProto(CreateFlashCopyRequest.newBuilder().setBase("db")
                .setRepositoryPercent(30).build());
        assertEquals(30, byPercent.repositoryPercent());
        assertNull(byPercent.repositoryBytes());
    }

    @Test
    void explicitZeroIsKeptApartFromAbsentSoTheEngineCanRefuseIt() {
        CreateFlashCopy zeros = ProtoMapper.fromProto(CreateFlashCopyRequest.newBuilder().setBase("db")
                .setRepositoryPercent(0).setWarningThresholdPercent(0).build());
        assertEquals(0, zeros.repositoryPercent());
        assertEquals(0, zeros.warningThresholdPercent());
    }

    @Test
    void unsignedValuesAboveTheJavaRangeAreClampedNotNegative() {
        CreateFlashCopy huge = ProtoMapper.fromProto(CreateFlashCopyRequest.newBuilder().setBase("db")
                .setRepositoryPercent(-1).setRepositoryCapacityBytes(-1).setWarningThresholdPercent(-5).build());
        assertEquals(Integer.MAX_VALUE, huge.repositoryPercent());
        assertEquals(Long.MAX_VALUE, huge.repositoryBytes());
        assertEquals(Integer.MAX_VALUE, huge.warningThresholdPercent());
    }

    @Test
    void unspecifiedPolicyMeansDefaultAndAnUnknownNumberIsInvalidArgument() {
        assertNull(ProtoMapper.fromProto(dev.copyservices.api.agent.v1.FullPolicy.FULL_POLICY_UNSPECIFIED));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ProtoMapper.fromProto(
                CreateFlashCopyRequest.newBuilder().setBase("db").setFullPolicyValue(7).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        ErrorDetail detail = detail(e);
        assertEquals("INVALID_FULL_POLICY", detail.getReason());
        assertTrue(detail.getCorrection().contains("FAIL_FLASH_COPY"), detail.getCorrection());
    }

    static ErrorDetail detail(StatusRuntimeException e) {
        try {
            return StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorDetail.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException garbled) {
            throw new AssertionError(garbled);
        }
    }
}
