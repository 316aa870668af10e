package dev.copyservices.agent.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write larger than one pwrite piece lands whole, where it was asked, from any kind of buffer. */
class FileBlockDeviceTest {
    private static final int SIZE = 4 << 20;

    @TempDir
    Path dir;

    @Test
    void aWriteOfManyPiecesLandsByteForByteFromAHeapBuffer() throws IOException {
        writeAndReadBack(false);
    }

    @Test
    void aWriteOfManyPiecesLandsByteForByteFromADirectBufferWithAnOffset() throws IOException {
        writeAndReadBack(true);
    }

    private void writeAndReadBack(boolean direct) throws IOException {
        int length = 3 * FileBlockDevice.WRITE_PIECE + 4093; // not a multiple of the piece
        long offset = FileBlockDevice.WRITE_PIECE - 512; // the pieces straddle the piece boundaries
        byte[] data = new byte[length];
        new Random(7).nextBytes(data);
        int lead = 100; // the buffer's data starts past its beginning and ends before its capacity
        ByteBuffer src = direct ? ByteBuffer.allocateDirect(lead + length + 50) : ByteBuffer.allocate(lead + length + 50);
        src.position(lead);
        src.put(data);
        src.limit(lead + length).position(lead);

        try (FileBlockDevice device = FileBlockDevice.create(dir.resolve("v.data"), SIZE)) {
            device.write(offset, src);
            assertEquals(lead + length, src.position(), "the write consumed the buffer like one pwrite would");

            ByteBuffer back = ByteBuffer.allocate(SIZE);
            device.read(0, back);
            byte[] file = back.array();
            assertArrayEquals(data, Arrays.copyOfRange(file, (int) offset, (int) offset + length));
            assertArrayEquals(new byte[(int) offset], Arrays.copyOfRange(file, 0, (int) offset), "nothing before it");
            int end = (int) offset + length;
            assertArrayEquals(new byte[SIZE - end], Arrays.copyOfRange(file, end, SIZE), "nothing after it");
        }
        assertEquals(SIZE, Files.size(dir.resolve("v.data")));
    }
}
