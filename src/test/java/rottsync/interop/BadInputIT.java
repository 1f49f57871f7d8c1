package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.automerge.Document;
import org.automerge.ObjectId;
import org.automerge.Transaction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rottsync.protocol.DocumentId;
import rottsync.protocol.WireCodec;
import rottsync.protocol.WireMessage;

/**
 * Every kind of bad input is answered for that peer alone (an error and/or a close code that says
 * why), and afterwards the server still serves the stored document, unchanged, to a well-behaved peer.
 */
class BadInputIT {
    private static final int MESSAGE_LIMIT = 1024 * 1024;

    @TempDir
    static Path dataDir;

    static ServerProcess server;
    static DocumentId stored = DocumentId.random();
    static Document original;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.rottSync(dataDir, "bad-input",
                Map.of("MAX_MESSAGE_SIZE", String.valueOf(MESSAGE_LIMIT))).start();
        original = new Document();
        try (Transaction tx = original.startTransaction()) {
            tx.set(ObjectId.ROOT, "title", "kept safe");
            tx.commit();
        }
        try (RawPeer writer = RawPeer.joined(server.url())) {
            writer.upload(stored, original);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @AfterEach
    void serverStillServesTheStoredDocument() throws Exception {
        assertThat(server.isAlive()).isTrue();
        try (RawPeer reader = RawPeer.joined(server.url())) {
            Document copy = reader.fetch(stored);
            assertThat(copy.getHeads()).isEqualTo(original.getHeads());
            assertThat(copy.get(ObjectId.ROOT, "title").orElseThrow().toString()).contains("kept safe");
        }
    }

    @Test
    void garbageBytes() throws Exception {
        try (RawPeer peer = RawPeer.connect(server.url())) {
            byte[] garbage = new byte[200];
            new Random(1).nextBytes(garbage);
            garbage[0] = (byte) 0xff;
            peer.sendBytes(garbage);
            assertThat(peer.errorBeforeClose()).isPresent();
            assertThat(peer.awaitClose().code()).isEqualTo(1002);
        }
    }

    @Test
    void textFrame() throws Exception {
        try (RawPeer peer = RawPeer.connect(server.url())) {
            peer.sendText("{\"type\":\"join\"}");
            assertThat(peer.awaitClose().code()).isEqualTo(1003);
        }
    }

    @Test
    void truncatedCbor() throws Exception {
        try (RawPeer peer = RawPeer.connect(server.url())) {
            byte[] join = new WireCodec().encode(new WireMessage.Join(peer.peerId,
                    new WireMessage.PeerMetadata(null, true), List.of("1")));
            peer.sendBytes(Arrays.copyOf(join, join.length - 5));
            assertThat(peer.awaitClose().code()).isEqualTo(1002);
        }
    }

    @Test
    void oversizedMessage() throws Exception {
        var closed = NodeClient.run("oversize", "--server", server.url(), "--bytes",
                String.valueOf(MESSAGE_LIMIT + 1024));
        assertThat(closed.get("closeCode").asInt()).isEqualTo(1009);
        assertThat(closed.get("reason").asText()).contains("MAX_MESSAGE_SIZE");
    }

    @Test
    void messageBeforeJoin() throws Exception {
        try (RawPeer peer = RawPeer.connect(server.url())) {
            peer.send(new WireMessage.Sync(peer.peerId, "server", stored, new byte[] {0x42, 0, 0, 0, 0, 0}));
            assertThat(peer.errorBeforeClose()).get().extracting(WireMessage.Error::message).asString()
                    .contains("join");
            assertThat(peer.awaitClose().code()).isEqualTo(1008);
        }
    }

    @Test
    void unsupportedProtocolVersion() throws Exception {
        try (RawPeer peer = RawPeer.connect(server.url())) {
            peer.send(new WireMessage.Join(peer.peerId, new WireMessage.PeerMetadata(null, true), List.of("2")));
            assertThat(peer.errorBeforeClose()).get().extracting(WireMessage.Error::message)
                    .isEqualTo("unsupported protocol version");
            assertThat(peer.awaitClose().code()).isEqualTo(1002);
        }
    }

    @Test
    void unknownMessageType() throws Exception {
        try (RawPeer peer = RawPeer.joined(server.url())) {
            peer.sendBytes(cborMap("type", "frobnicate", "senderId", peer.peerId));
            assertThat(peer.errorBeforeClose()).get().extracting(WireMessage.Error::message).asString()
                    .contains("unknown message type");
        }
    }

    @Test
    void malformedDocumentId() throws Exception {
        try (RawPeer peer = RawPeer.joined(server.url())) {
            peer.sendBytes(cborMap("type", "request", "senderId", peer.peerId, "targetId", "server",
                    "documentId", "not-a-valid-id!!", "data", new byte[] {0x42, 0, 0, 0, 0, 0}));
            assertThat(peer.errorBeforeClose()).get().extracting(WireMessage.Error::message).asString()
                    .contains("documentId");
            assertThat(peer.awaitClose().code()).isEqualTo(1002);
        }
    }

    @Test
    void missingFields() throws Exception {
        try (RawPeer peer = RawPeer.joined(server.url())) {
            peer.sendBytes(cborMap("type", "sync", "senderId", peer.peerId, "documentId", stored.value()));
            assertThat(peer.errorBeforeClose()).get().extracting(WireMessage.Error::message).asString()
                    .contains("missing field");
        }
    }

    @Test
    void corruptAutomergeBytesNeverReachDisk() throws Exception {
        DocumentId victim = DocumentId.random();
        try (RawPeer peer = RawPeer.joined(server.url())) {
            byte[] corrupt = new byte[300];
            new Random(2).nextBytes(corrupt);
            corrupt[0] = 0x42;
            corrupt[1] = 0x01;
            peer.send(new WireMessage.Sync(peer.peerId, "server", victim, corrupt));
            assertThat(peer.errorBeforeClose()).get().extracting(WireMessage.Error::message).asString()
                    .contains("sync message");
            assertThat(peer.awaitClose().code()).isEqualTo(1007);
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            assertThat(files.map(Path::toString)).noneMatch(p -> p.contains(victim.value().substring(2)));
        }
        try (RawPeer peer = RawPeer.joined(server.url())) {
            byte[] corruptStored = new byte[100];
            new Random(3).nextBytes(corruptStored);
            corruptStored[0] = 0x42;
            corruptStored[1] = 0x00;
            peer.send(new WireMessage.Sync(peer.peerId, "server", stored, corruptStored));
            assertThat(peer.awaitClose().code()).isIn(1007, 1002);
        }
    }

    @Test
    void spoofedSenderIsRefusedWithoutHarmingTheSpoofedPeer() throws Exception {
        try (RawPeer victim = RawPeer.joined(server.url()); RawPeer spoofer = RawPeer.joined(server.url())) {
            spoofer.send(new WireMessage.Request(victim.peerId, "server", stored,
                    new Document().generateSyncMessage(new org.automerge.SyncState()).orElseThrow()));
            assertThat(spoofer.next()).isInstanceOf(WireMessage.Error.class);
            assertThat(victim.fetch(stored).getHeads()).isEqualTo(original.getHeads());
        }
    }

    @Test
    void aSecondJoinWithTheSamePeerIdReplacesTheFirstConnection() throws Exception {
        try (RawPeer first = RawPeer.joinedAs(server.url(), "same-device");
                RawPeer second = RawPeer.joinedAs(server.url(), "same-device")) {
            assertThat(first.awaitClose().code()).isEqualTo(1008);
            assertThat(second.fetch(stored).getHeads()).isEqualTo(original.getHeads());
        }
    }

    @Test
    void peerVanishingMidSync() throws Exception {
        Document big = new Document();
        try (Transaction tx = big.startTransaction()) {
            tx.set(ObjectId.ROOT, "blob", "x".repeat(600_000));
            tx.commit();
        }
        DocumentId id = DocumentId.random();
        RawPeer peer = RawPeer.joined(server.url());
        peer.send(new WireMessage.Sync(peer.peerId, "server", id,
                big.generateSyncMessage(new org.automerge.SyncState()).orElseThrow()));
        peer.abort();
        RawPeer another = RawPeer.joined(server.url());
        another.upload(id, big);
        another.close();
    }

    private static byte[] cborMap(Object... keyValues) throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.cbor.CBORFactory());
        var map = new java.util.LinkedHashMap<String, Object>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return mapper.writeValueAsBytes(map);
    }
}
