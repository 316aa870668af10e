package dev.copyservices.agent.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A byte-level NBD client for tests that need to send what no real client would, or to control each
 * request (the mirror ITs' ordered writer, which waits for each reply before the next request).
 */
public final class RawNbdClient implements AutoCloseable {
    public record OptionReply(int option, int type, byte[] data) {
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    public record Reply(int magic, int error, long cookie, byte[] data) {
    }

    record Go(long size, int flags) {
    }

    Socket socket;
    DataInputStream in;
    DataOutputStream out;

    RawNbdClient(int port) throws IOException {
        this(null, port);
    }

    /** @param source the local address to connect from (any 127.x.y.z works on Linux), or null */
    RawNbdClient(String source, int port) throws IOException {
        socket = new Socket();
        if (source != null) {
            socket.bind(new java.net.InetSocketAddress(source, 0));
        }
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(20_000); // a safety net so a broken server fails the test, not hangs it
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
    }

    public static RawNbdClient negotiated(int port, String export) throws IOException {
        RawNbdClient c = new RawNbdClient(port);
        c.greet(NbdProtocol.FLAG_C_FIXED_NEWSTYLE | NbdProtocol.FLAG_C_NO_ZEROES);
        c.go(export);
        return c;
    }

    /** NBD_REP_ERR_POLICY: the reply type of a refusal by policy, e.g. of a client not attached. */
    public static final int REP_ERR_POLICY = NbdProtocol.REP_ERR_POLICY;
    /** NBD_REP_ERR_TLS_REQD: the server serves only clients that started TLS. */
    public static final int REP_ERR_TLS_REQD = NbdProtocol.REP_ERR_TLS_REQD;

    /**
     * Connects from {@code source} and asks for {@code export} with NBD_OPT_GO; answers the server's
     * refusal (its type and message), or null when the server let the client in.
     */
    public static OptionReply refusalOfGo(String source, int port, String export) throws IOException {
        try (RawNbdClient c = new RawNbdClient(source, port)) {
            c.greet(NbdProtocol.FLAG_C_FIXED_NEWSTYLE | NbdProtocol.FLAG_C_NO_ZEROES);
            c.option(NbdProtocol.OPT_GO, infoRequest(export));
            while (true) {
                OptionReply r = c.readOptionReply();
                if (r.type() == NbdProtocol.REP_ACK) {
                    return null;
                }
                if (r.type() != NbdProtocol.REP_INFO) {
                    return r;
                }
            }
        }
    }

    /**
     * NBD_OPT_STARTTLS, then the TLS handshake as a client of {@code context}: everything after goes
     * through TLS. Returns the server's reply to the option, which is not ACK when it refused (and
     * then no handshake is tried).
     */
    OptionReply startTls(javax.net.ssl.SSLContext context) throws IOException {
        option(NbdProtocol.OPT_STARTTLS, new byte[0]);
        OptionReply reply = readOptionReply();
        if (reply.type() == NbdProtocol.REP_ACK) {
            javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket(socket,
                    "127.0.0.1", socket.getPort(), true);
            tls.setUseClientMode(true);
            tls.startHandshake();
            socket = tls;
            in = new DataInputStream(tls.getInputStream());
            out = new DataOutputStream(new java.io.BufferedOutputStream(tls.getOutputStream(), 64 << 10));
        }
        return reply;
    }

    /** Reads the server greeting, checks it, and answers with {@code clientFlags}. */
    void greet(int clientFlags) throws IOException {
        assertEquals(NbdProtocol.NBDMAGIC, in.readLong());
        assertEquals(NbdProtocol.IHAVEOPT, in.readLong());
        assertEquals(NbdProtocol.FLAG_FIXED_NEWSTYLE | NbdProtocol.FLAG_NO_ZEROES, in.readUnsignedShort());
        out.writeInt(clientFlags);
        out.flush();
    }

    void option(int option, byte[] data) throws IOException {
        out.writeLong(NbdProtocol.IHAVEOPT);
        out.writeInt(option);
        out.writeInt(data.length);
        out.write(data);
        out.flush();
    }

    OptionReply readOptionReply() throws IOException {
        assertEquals(NbdProtocol.OPTION_REPLY_MAGIC, in.readLong());
        int option = in.readInt();
        int type = in.readInt();
        byte[] data = new byte[in.readInt()];
        in.readFully(data);
        return new OptionReply(option, type, data);
    }

    static byte[] infoRequest(String name, int... infoTypes) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + n.length + 2 + 2 * infoTypes.length);
        b.putInt(n.length).put(n).putShort((short) infoTypes.length);
        for (int t : infoTypes) {
            b.putShort((short) t);
        }
        return b.array();
    }

    /** NBD_OPT_GO; expects success and returns the export's size and transmission flags. */
    Go go(String export) throws IOException {
        option(NbdProtocol.OPT_GO, infoRequest(export));
        long size = -1;
        int flags = -1;
        while (true) {
            OptionReply r = readOptionReply();
            if (r.type() == NbdProtocol.REP_ACK) {
                return new Go(size, flags);
            }
            assertEquals(NbdProtocol.REP_INFO, r.type(), () -> "unexpected reply to GO: " + r);
            ByteBuffer b = ByteBuffer.wrap(r.data());
            if (b.getShort() == NbdProtocol.INFO_EXPORT) {
                size = b.getLong();
                flags = Short.toUnsignedInt(b.getShort());
            }
        }
    }

    void request(int flags, int type, long cookie, long offset, long length) throws IOException {
        out.writeInt(NbdProtocol.REQUEST_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(cookie);
        out.writeLong(offset);
        out.writeInt((int) length);
        out.flush();
    }

    public void write(int flags, long cookie, long offset, byte[] payload) throws IOException {
        request(flags, NbdProtocol.CMD_WRITE, cookie, offset, payload.length);
        out.write(payload);
        out.flush();
    }

    /** Reads a simple reply; {@code dataLength} bytes follow it only if it reports success. */
    public Reply readReply(int dataLength) throws IOException {
        int magic = in.readInt();
        int error = in.readInt();
        long cookie = in.readLong();
        byte[] data = new byte[error == 0 ? dataLength : 0];
        in.readFully(data);
        return new Reply(magic, error, cookie, data);
    }

    /** Reads a successful reply carrying {@code length} bytes for {@code cookie}. */
    public byte[] read(long cookie, long offset, int length) throws IOException {
        request(0, NbdProtocol.CMD_READ, cookie, offset, length);
        Reply r = readReply(length);
        assertEquals(NbdProtocol.SIMPLE_REPLY_MAGIC, r.magic());
        assertEquals(0, r.error(), "read error");
        assertEquals(cookie, r.cookie());
        return r.data();
    }

    /** True once the server has closed the connection (EOF or reset), draining anything before. */
    boolean closedByServer() throws IOException {
        InputStream raw = socket.getInputStream();
        try {
            while (raw.read() >= 0) {
                // discard what the server sent before closing
            }
            return true;
        } catch (SocketException e) {
            return true; // connection reset also means the server dropped us
        }
    }

    void readFullyOrEof(byte[] b) throws IOException {
        try {
            in.readFully(b);
        } catch (EOFException e) {
            throw new AssertionError("server closed the connection unexpectedly", e);
        }
    }

    /**
     * An orderly end, as qemu-io and nbdcopy do it, that also waits for the server to close: once this
     * returns the server holds the export no longer (it lets go before it closes the socket).
     */
    public void disconnect() throws IOException {
        request(0, NbdProtocol.CMD_DISC, 0, 0, 0);
        assertEquals(true, closedByServer(), "the server kept the connection open after a disconnect request");
        close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
