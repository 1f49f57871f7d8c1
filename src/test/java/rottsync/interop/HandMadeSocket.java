package rottsync.interop;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A WebSocket client written by hand for what libraries won't do: pick its source address on the
 * loopback range, never read, never answer pings.
 */
final class HandMadeSocket implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    final String statusLine;

    HandMadeSocket(String localAddress, int port) throws IOException {
        socket = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(localAddress), 0);
        socket.setSoTimeout(20_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        out.write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        statusLine = readHeaders();
    }

    private String readHeaders() throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString().lines().findFirst().orElse("");
    }

    boolean upgraded() {
        return statusLine.contains(" 101 ");
    }

    /** Sends one masked binary frame, as a client must. */
    void sendBinary(byte[] payload) throws IOException {
        byte[] mask = new byte[4];
        new SecureRandom().nextBytes(mask);
        OutputStream frame = out;
        frame.write(0x82);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        frame.write(mask);
        byte[] masked = new byte[payload.length];
        for (int i = 0; i < payload.length; i++) {
            masked[i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        frame.write(masked);
        frame.flush();
    }

    /** Joins as {@code peerId} and waits for the server's answer, so the server has surely registered us. */
    void join(String peerId) throws IOException {
        sendBinary(new rottsync.protocol.WireCodec().encode(new rottsync.protocol.WireMessage.Join(peerId,
                new rottsync.protocol.WireMessage.PeerMetadata(null, true), java.util.List.of("1"))));
        Frame reply = readFrame();
        while (reply != null && (reply.opcode() == 0x9 || reply.opcode() == 0xA)) {
            reply = readFrame(); // pings may come first; this client never answers them
        }
        if (reply == null || reply.opcode() != 0x2) {
            throw new IOException("expected a binary peer message, got " + reply);
        }
    }

    /** Reads frames until the server's close frame and returns its status code (-1 on EOF without one). */
    int awaitCloseCode() throws IOException {
        for (Frame frame = readFrame(); frame != null; frame = readFrame()) {
            if (frame.opcode() == 0x8) {
                byte[] p = frame.payload();
                return p.length >= 2 ? ((p[0] & 0xff) << 8) | (p[1] & 0xff) : 1005;
            }
        }
        return -1;
    }

    record Frame(int opcode, byte[] payload) {}

    /** One unmasked server frame, or null at end of stream. */
    Frame readFrame() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(first & 0x0f, payload);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
