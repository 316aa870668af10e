package dev.copyservices.agent.nbd;

import static dev.copyservices.agent.nbd.NbdProtocol.*;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * The fixed newstyle negotiation for one connection, up to the point where the client has chosen
 * an export (and this class has taken a hold on it) or the negotiation ended.
 *
 * <p>Only simple replies are offered: structured replies, meta contexts and extended headers are
 * answered {@code NBD_REP_ERR_UNSUP}, which every client must accept. TLS (NBD_OPT_STARTTLS) is
 * offered when the agent has a certificate, and then required of every client when so configured.
 */
final class NbdHandshake {
    private static final Logger LOG = Logger.getLogger(NbdHandshake.class.getName());
    private final NbdTransport ch;
    private final NbdTls tls;
    private final InetAddress client;
    private final ExportRegistry registry;
    private final Runnable onRevoke;
    private final String refusal;
    /** Once TLS is up: why the client's certificate may not open exports, or null. */
    private String denial;
    private final ByteBuffer header = ByteBuffer.allocate(16);
    private boolean noZeroes;

    /**
     * @param refusal when not null, why no export may be entered (NBD_OPT_GO gets NBD_REP_ERR_POLICY with it)
     * @param tls TLS to offer, or null for none
     */
    NbdHandshake(NbdTransport ch, ExportRegistry registry, Runnable onRevoke, String refusal, NbdTls tls) {
        this.ch = ch;
        this.tls = tls;
        this.client = ch.clientAddress();
        this.registry = registry;
        this.onRevoke = onRevoke;
        this.refusal = refusal;
    }

    /**
     * Runs the negotiation. Returns the export the client entered transmission with, or empty if it
     * aborted or asked for an export that does not exist with {@code NBD_OPT_EXPORT_NAME}.
     *
     * @throws ProtocolException when the client breaks the protocol; the caller drops the connection
     */
    Optional<Export> negotiate() throws IOException {
        ByteBuffer greeting = ByteBuffer.allocate(18);
        greeting.putLong(NBDMAGIC).putLong(IHAVEOPT).putShort((short) (FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES));
        Wire.writeFully(ch, greeting.flip());

        ByteBuffer clientFlags = ByteBuffer.allocate(4);
        Wire.readFully(ch, clientFlags);
        int flags = clientFlags.flip().getInt();
        if ((flags & ~(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES)) != 0) {
            // The spec requires dropping the connection on flags we did not offer.
            throw new ProtocolException("unknown client flags 0x" + Integer.toHexString(flags));
        }
        noZeroes = (flags & FLAG_C_NO_ZEROES) != 0;

        while (true) {
            header.clear();
            Wire.readFully(ch, header);
            header.flip();
            long magic = header.getLong();
            int option = header.getInt();
            long length = Integer.toUnsignedLong(header.getInt());
            if (magic != IHAVEOPT) {
                throw new ProtocolException("bad option magic 0x" + Long.toHexString(magic));
            }
            if (length > MAX_OPTION_DATA) {
                // Never allocate or even read what a client claims: just hang up.
                throw new ProtocolException("option " + option + " data too long: " + length);
            }
            ByteBuffer data = ByteBuffer.allocate((int) length);
            Wire.readFully(ch, data);
            data.flip();
            if (tls != null && tls.required() && !ch.secure() && option != OPT_STARTTLS && option != OPT_ABORT) {
                LOG.warning("NBD client " + client.getHostAddress() + " refused: it negotiated without TLS, which this"
                        + " agent requires (--nbd-tls required)");
                if (option == OPT_EXPORT_NAME) {
                    return Optional.empty(); // this option cannot carry an error: the spec says to hang up
                }
                replyError(option, REP_ERR_TLS_REQD, "this agent serves NBD over TLS only: start TLS"
                        + " (NBD_OPT_STARTTLS) with a certificate of the agents' CA, e.g. nbds://HOST:PORT/VOLUME"
                        + "?tls-certificates=DIR");
                continue;
            }
            switch (option) {
                case OPT_EXPORT_NAME -> {
                    return exportName(data);
                }
                case OPT_ABORT -> {
                    try {
                        reply(option, REP_ACK, ByteBuffer.allocate(0));
                    } catch (IOException e) {
                        // The client may hang up without waiting for the ack; that is fine.
                    }
                    return Optional.empty();
                }
                case OPT_LIST -> list(data);
                case OPT_STARTTLS -> startTls(data);
                case OPT_INFO, OPT_GO -> {
                    Optional<Export> chosen = infoOrGo(option, data);
                    if (chosen.isPresent()) {
                        return chosen;
                    }
                }
                default -> replyError(option, REP_ERR_UNSUP, "option not supported");
            }
        }
    }

    /** Acknowledges STARTTLS and runs the TLS handshake; the negotiation then goes on encrypted. */
    private void startTls(ByteBuffer data) throws IOException {
        if (tls == null) {
            replyError(OPT_STARTTLS, REP_ERR_UNSUP, "this agent has no TLS certificate (it runs with --insecure-dev)");
            return;
        }
        if (ch.secure()) {
            replyError(OPT_STARTTLS, REP_ERR_INVALID, "TLS is already started");
            return;
        }
        if (data.hasRemaining()) {
            replyError(OPT_STARTTLS, REP_ERR_INVALID, "NBD_OPT_STARTTLS takes no data");
            return;
        }
        reply(OPT_STARTTLS, REP_ACK, ByteBuffer.allocate(0));
        try {
            ch.startTls(tls.engines().get());
        } catch (SSLException e) {
            LOG.warning("NBD client " + client.getHostAddress() + " failed the TLS handshake: " + e.getMessage());
            throw e;
        }
        X509Certificate peer = ch.peerCertificate().orElseThrow();
        denial = tls.refusalOf().apply(peer).orElse(null);
        if (denial != null) {
            LOG.warning("NBD client " + client.getHostAddress() + " refused: " + denial);
        }
    }

    private Optional<Export> exportName(ByteBuffer data) throws IOException {
        if (refusal != null || denial != null) {
            return Optional.empty(); // NBD_OPT_EXPORT_NAME cannot carry an error: the spec says to hang up
        }
        String name;
        try {
            name = decode(data);
        } catch (CharacterCodingException e) {
            throw new ProtocolException("export name is not UTF-8");
        }
        Optional<Export> opened;
        try {
            opened = registry.open(name, client, onRevoke);
        } catch (ExportRefusedException e) {
            refused(name, e);
            return Optional.empty(); // this option cannot carry an error: the spec says to hang up
        }
        if (opened.isEmpty()) {
            return opened; // this option cannot carry an error: the spec says to hang up
        }
        Export export = opened.get();
        try {
            ByteBuffer out = ByteBuffer.allocate(noZeroes ? 10 : 134);
            out.putLong(export.size()).putShort((short) transmissionFlags(export.readOnly()));
            Wire.writeFully(ch, out.position(0));
            return opened;
        } catch (IOException | RuntimeException e) {
            export.close();
            throw e;
        }
    }

    private void list(ByteBuffer data) throws IOException {
        if (data.hasRemaining()) {
            replyError(OPT_LIST, REP_ERR_INVALID, "NBD_OPT_LIST takes no data");
            return;
        }
        if (denial != null) {
            replyError(OPT_LIST, REP_ERR_POLICY, denial);
            return;
        }
        for (ExportRegistry.ExportSummary summary : registry.list(client)) {
            byte[] name = summary.name().getBytes(StandardCharsets.UTF_8);
            byte[] description = summary.description() == null
                    ? new byte[0] : summary.description().getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocate(4 + name.length + description.length);
            out.putInt(name.length).put(name).put(description);
            reply(OPT_LIST, REP_SERVER, out.flip());
        }
        reply(OPT_LIST, REP_ACK, ByteBuffer.allocate(0));
    }

    /** Returns the export when the option was a successful NBD_OPT_GO, empty otherwise. */
    private Optional<Export> infoOrGo(int option, ByteBuffer data) throws IOException {
        String name;
        short[] requests;
        try {
            int nameLength = data.getInt();
            if (nameLength < 0 || nameLength > MAX_NAME || nameLength > data.remaining()) {
                replyError(option, REP_ERR_INVALID, "bad export name length");
                return Optional.empty();
            }
            name = decode(data.slice(data.position(), nameLength));
            data.position(data.position() + nameLength);
            int count = Short.toUnsignedInt(data.getShort());
            if (data.remaining() != count * 2) {
                replyError(option, REP_ERR_INVALID, "option length does not match its content");
                return Optional.empty();
            }
            requests = new short[count];
            data.asShortBuffer().get(requests);
        } catch (BufferUnderflowException e) {
            replyError(option, REP_ERR_INVALID, "option data truncated");
            return Optional.empty();
        } catch (CharacterCodingException e) {
            replyError(option, REP_ERR_INVALID, "export name is not UTF-8");
            return Optional.empty();
        }

        if (denial != null) {
            replyError(option, REP_ERR_POLICY, denial);
            return Optional.empty();
        }
        if (option == OPT_INFO) {
            Optional<ExportRegistry.ExportSummaryInfo> info;
            try {
                info = registry.info(name, client);
            } catch (ExportRefusedException e) {
                refused(name, e);
                replyError(option, REP_ERR_POLICY, e.getMessage());
                return Optional.empty();
            }
            if (info.isEmpty()) {
                replyError(option, REP_ERR_UNKNOWN, "no such export");
            } else {
                sendInfo(option, name, info.get().size(), info.get().readOnly(), requests);
                reply(option, REP_ACK, ByteBuffer.allocate(0));
            }
            return Optional.empty();
        }

        if (refusal != null) {
            replyError(option, REP_ERR_POLICY, refusal);
            return Optional.empty();
        }
        Optional<Export> opened;
        try {
            opened = registry.open(name, client, onRevoke);
        } catch (ExportRefusedException e) {
            refused(name, e);
            replyError(option, REP_ERR_POLICY, e.getMessage());
            return Optional.empty();
        }
        if (opened.isEmpty()) {
            replyError(option, REP_ERR_UNKNOWN, "no such export");
            return opened;
        }
        Export export = opened.get();
        try {
            sendInfo(option, name, export.size(), export.readOnly(), requests);
            reply(option, REP_ACK, ByteBuffer.allocate(0));
            return opened;
        } catch (IOException | RuntimeException e) {
            export.close();
            throw e;
        }
    }

    /** Refusals are logged: an administrator looking for who tried what finds them next to the connections. */
    private void refused(String name, ExportRefusedException e) {
        LOG.warning("NBD client " + client.getHostAddress() + " refused export '" + name + "': " + e.getMessage());
    }

    private void sendInfo(int option, String name, long size, boolean readOnly, short[] requests)
            throws IOException {
        // NBD_INFO_EXPORT is mandatory. Block sizes go out unasked too: they are the protocol's
        // defaults, so a client that did not ask loses nothing, and one that did is told the limit.
        ByteBuffer export = ByteBuffer.allocate(12);
        export.putShort((short) INFO_EXPORT).putLong(size).putShort((short) transmissionFlags(readOnly));
        reply(option, REP_INFO, export.flip());
        ByteBuffer blockSize = ByteBuffer.allocate(14);
        blockSize.putShort((short) INFO_BLOCK_SIZE).putInt(MIN_BLOCK_SIZE).putInt(PREFERRED_BLOCK_SIZE)
                .putInt(MAX_PAYLOAD);
        reply(option, REP_INFO, blockSize.flip());
        boolean nameSent = false;
        boolean descriptionSent = false;
        for (short request : requests) {
            if (request == INFO_NAME && !nameSent) {
                nameSent = true;
                sendString(option, INFO_NAME, name);
            } else if (request == INFO_DESCRIPTION && !descriptionSent) {
                descriptionSent = true;
                String description = describe(name);
                if (description != null) {
                    sendString(option, INFO_DESCRIPTION, description);
                }
            }
            // Anything else (including a request for EXPORT or BLOCK_SIZE) is already answered or
            // unknown; the spec lets the server ignore unknown info requests.
        }
    }

    private String describe(String name) {
        for (ExportRegistry.ExportSummary summary : registry.list(client)) {
            if (summary.name().equals(name)) {
                String d = summary.description();
                return d == null || d.isEmpty() ? null : d;
            }
        }
        return null;
    }

    private void sendString(int option, int infoType, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(2 + bytes.length);
        out.putShort((short) infoType).put(bytes);
        reply(option, REP_INFO, out.flip());
    }

    private void replyError(int option, int error, String message) throws IOException {
        reply(option, error, ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
    }

    private void reply(int option, int type, ByteBuffer data) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(20);
        head.putLong(OPTION_REPLY_MAGIC).putInt(option).putInt(type).putInt(data.remaining()).flip();
        Wire.writeFully(ch, head, data);
    }

    private static String decode(ByteBuffer bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().decode(bytes).toString();
    }
}
