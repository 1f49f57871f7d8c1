package rottsync.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static rottsync.protocol.WireVectors.cbor;
import static rottsync.protocol.WireVectors.cborMap;
import static rottsync.protocol.WireVectors.concat;
import static rottsync.protocol.WireVectors.hex;
import static rottsync.protocol.WireVectors.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;
import rottsync.protocol.WireMessage.DocUnavailable;
import rottsync.protocol.WireMessage.Ephemeral;
import rottsync.protocol.WireMessage.Join;
import rottsync.protocol.WireMessage.Peer;
import rottsync.protocol.WireMessage.PeerMetadata;
import rottsync.protocol.WireMessage.Request;
import rottsync.protocol.WireMessage.Sync;

class WireCodecTest {
    private static final DocumentId DOC = new DocumentId("4NMNnkMhL8jXrdJ9jamS58PAVdXu");
    private static final String STORAGE_ID = "3760df37-a4c6-4f66-9ecd-732039a9385d";
    private static final String SERVER = "storage-server-host";
    private static final String CLIENT = "peer-abc123";
    static final List<String> ALL_VECTORS = WireVectors.ALL;
    static final List<String> HANDLED_VECTORS = WireVectors.HANDLED;

    private final WireCodec codec = new WireCodec();

    @Test
    void decodesJoinFromStoragelessClientWithUndefinedStorageIdAsNull() throws Exception {
        byte[] frame = load("join-storageless");
        assertThat(HexFormat.of().formatHex(frame)).contains("6973746f726167654964f7");

        Join join = (Join) codec.decode(frame);

        assertThat(join.senderId()).isEqualTo(CLIENT);
        assertThat(join.peerMetadata()).isEqualTo(new PeerMetadata(null, true));
        assertThat(join.supportedProtocolVersions()).containsExactly("1");
        assertThat(ProtocolVersion.select(join.supportedProtocolVersions())).contains(ProtocolVersion.V1);
    }

    @Test
    void decodesJoinWithStorageId() throws Exception {
        Join join = (Join) codec.decode(load("join-with-storage"));

        assertThat(join.senderId()).isEqualTo("peer-def456");
        assertThat(join.peerMetadata()).isEqualTo(new PeerMetadata(STORAGE_ID, false));
        assertThat(join.supportedProtocolVersions()).containsExactly("1");
    }

    @Test
    void decodesJoinWithOnlyUnsupportedVersionAndSelectsNone() throws Exception {
        Join join = (Join) codec.decode(load("join-unsupported-version"));

        assertThat(join.senderId()).isEqualTo("peer-future");
        assertThat(join.supportedProtocolVersions()).containsExactly("2");
        assertThat(ProtocolVersion.select(join.supportedProtocolVersions())).isEmpty();
    }

    @Test
    void joinWithoutVersionsOrMetadataSelectsVersionOne() throws Exception {
        Join join = (Join) codec.decode(cbor(Map.of("type", "join", "senderId", "p")));

        assertThat(join.supportedProtocolVersions()).isNull();
        assertThat(join.peerMetadata()).isEqualTo(new PeerMetadata(null, false));
        assertThat(ProtocolVersion.select(join.supportedProtocolVersions())).contains("1");
    }

    @Test
    void decodesSync() throws Exception {
        Sync sync = (Sync) codec.decode(load("sync"));

        assertThat(sync.senderId()).isEqualTo(CLIENT);
        assertThat(sync.targetId()).isEqualTo(SERVER);
        assertThat(sync.documentId()).isEqualTo(DOC);
        assertThat(sync.data()).isEqualTo(hex("42010203040506070809"));
    }

    @Test
    void decodesAFrameWhereItLiesInALargerHeapOrDirectBuffer() throws Exception {
        byte[] frame = load("sync");
        byte[] around = new byte[frame.length + 7];
        System.arraycopy(frame, 0, around, 3, frame.length);
        ByteBuffer heap = ByteBuffer.wrap(around, 3, frame.length).slice();
        ByteBuffer direct = ByteBuffer.allocateDirect(frame.length + 4).position(2);
        direct.put(frame).flip().position(2);
        Sync expected = (Sync) codec.decode(frame);

        for (ByteBuffer buffer : List.of(heap, direct)) {
            Sync sync = (Sync) codec.decode(buffer);
            assertThat(sync.documentId()).isEqualTo(DOC);
            assertThat(sync.data()).isEqualTo(expected.data());
            assertThat(buffer.remaining()).as("the caller's buffer is left as it was").isEqualTo(frame.length);
        }
    }

    @Test
    void decodesRequest() throws Exception {
        Request request = (Request) codec.decode(load("request"));

        assertThat(request.senderId()).isEqualTo(CLIENT);
        assertThat(request.targetId()).isEqualTo(SERVER);
        assertThat(request.documentId()).isEqualTo(DOC);
        assertThat(request.data()).isEqualTo(hex("4200000100"));
    }

    @Test
    void decodesDocUnavailable() throws Exception {
        DocUnavailable message = (DocUnavailable) codec.decode(load("doc-unavailable"));

        assertThat(message.senderId()).isEqualTo(SERVER);
        assertThat(message.targetId()).isEqualTo(CLIENT);
        assertThat(message.documentId()).isEqualTo(DOC);
    }

    @Test
    void decodesEphemeralWithFloat64Count() throws Exception {
        byte[] frame = load("ephemeral");
        assertThat(HexFormat.of().formatHex(frame)).contains("65636f756e74fb");

        Ephemeral message = (Ephemeral) codec.decode(frame);

        assertThat(message.senderId()).isEqualTo(CLIENT);
        assertThat(message.targetId()).isEqualTo(SERVER);
        assertThat(message.documentId()).isEqualTo(DOC);
        assertThat(message.sessionId()).isEqualTo("k3j5h2g9f1");
        assertThat(message.count()).isEqualTo(1767225600123L);
        assertThat(cborMap(message.data())).isEqualTo(Map.of("hello", "world"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"remote-heads-changed", "remote-subscription-change"})
    void decodesGossipAsIgnored(String name) throws Exception {
        assertThat(codec.decode(load(name))).isEqualTo(new WireMessage.Ignored(CLIENT, name));
    }

    @Test
    void decodesErrorAndLeave() throws Exception {
        WireMessage error = codec.decode(cbor(Map.of("type", "error", "senderId", "s", "message", "m", "targetId", "t")));
        WireMessage leave = codec.decode(cbor(Map.of("type", "leave", "senderId", "s")));

        assertThat(error).isEqualTo(new WireMessage.Error("s", "m", "t"));
        assertThat(leave).isEqualTo(new WireMessage.Leave("s"));
    }

    @Test
    void acceptsByteStringTaggedAsUint8Array() throws Exception {
        String hex = HexFormat.of().formatHex(load("sync"));
        String tagged = hex.replace(text("data") + "4a", text("data") + "d840" + "4a");
        assertThat(tagged).isNotEqualTo(hex);

        Sync sync = (Sync) codec.decode(hex(tagged));

        assertThat(sync.data()).isEqualTo(hex("42010203040506070809"));
    }

    @Test
    void acceptsDocumentIdAsRawBytes() throws Exception {
        Map<String, Object> map = cborMap(load("sync"));
        map.put("documentId", hex("f1c29c8474c84adeb800be47627d33bf"));

        assertThat(((Sync) codec.decode(cbor(map))).documentId()).isEqualTo(DOC);
    }

    @ParameterizedTest
    @FieldSource("HANDLED_VECTORS")
    void roundTripsGoldenVectors(String name) throws Exception {
        WireMessage decoded = codec.decode(load(name));

        byte[] encoded = codec.encode(decoded);

        assertThat(codec.decode(encoded)).usingRecursiveComparison().isEqualTo(decoded);
        assertThat(codec.encode(codec.decode(encoded))).isEqualTo(encoded);
    }

    @Test
    void roundTripsServerMessages() throws Exception {
        List<WireMessage> messages = List.of(
                new Peer(SERVER, new PeerMetadata(STORAGE_ID, false), "1", CLIENT),
                new Peer(SERVER, new PeerMetadata(null, true), "1", CLIENT),
                new WireMessage.Error(SERVER, "unsupported protocol version", CLIENT),
                new WireMessage.Error(SERVER, "bad frame", null),
                new WireMessage.Leave(SERVER),
                new Ephemeral(SERVER, CLIENT, DOC, new byte[] {1}, "s", (1L << 53) - 1),
                new Sync(SERVER, CLIENT, DOC, new byte[0]));

        for (WireMessage message : messages) {
            assertThat(codec.decode(codec.encode(message))).usingRecursiveComparison().isEqualTo(message);
        }
    }

    @Test
    void encodesPeerAsMinimalDefiniteLengthMapWithoutAbsentFields() {
        byte[] bytes = codec.encode(new Peer(SERVER, new PeerMetadata(STORAGE_ID, false), "1", CLIENT));

        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(map(5)
                + text("type") + text("peer")
                + text("senderId") + text(SERVER)
                + text("peerMetadata") + map(2)
                + text("storageId") + text(STORAGE_ID)
                + text("isEphemeral") + "f4"
                + text("selectedProtocolVersion") + text("1")
                + text("targetId") + text(CLIENT));
        assertThat(HexFormat.of().formatHex(codec.encode(new Peer(SERVER, new PeerMetadata(null, true), "1", CLIENT))))
                .isEqualTo(map(5)
                        + text("type") + text("peer")
                        + text("senderId") + text(SERVER)
                        + text("peerMetadata") + map(1)
                        + text("isEphemeral") + "f5"
                        + text("selectedProtocolVersion") + text("1")
                        + text("targetId") + text(CLIENT));
    }

    @Test
    void encodesSyncDataAsUntaggedByteString() {
        byte[] data = hex("42010203040506070809");

        byte[] bytes = codec.encode(new Sync(SERVER, CLIENT, DOC, data));

        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(map(5)
                + text("type") + text("sync")
                + text("senderId") + text(SERVER)
                + text("targetId") + text(CLIENT)
                + text("documentId") + text(DOC.value())
                + text("data") + "4a" + "42010203040506070809");
    }

    @Test
    void rejectsEmptyFrame() {
        assertMalformed(new byte[0]);
    }

    @Test
    void rejectsRandomGarbage() {
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] frame = new byte[1 + random.nextInt(64)];
            random.nextBytes(frame);
            assertMalformed(frame);
        }
    }

    @ParameterizedTest
    @FieldSource("ALL_VECTORS")
    void rejectsEveryTruncation(String name) {
        byte[] frame = load(name);
        for (int length = 0; length < frame.length; length++) {
            assertMalformed(Arrays.copyOf(frame, length));
        }
    }

    @Test
    void rejectsArrayInsteadOfMap() {
        assertMalformed(cbor(List.of("sync", CLIENT)));
        assertMalformed(hex("f6"));
        assertMalformed(hex("6473796e63"));
    }

    @Test
    void rejectsMissingOrUnknownType() {
        assertMalformed(syncWith(m -> m.remove("type")));
        assertMalformed(syncWith(m -> m.put("type", "bogus")));
        assertMalformed(syncWith(m -> m.put("type", 7)));
    }

    @Test
    void rejectsMissingSenderId() {
        assertMalformed(syncWith(m -> m.remove("senderId")));
        assertMalformed(cbor(Map.of("type", "join")));
        assertMalformed(cbor(Map.of("type", "remote-heads-changed")));
    }

    @Test
    void rejectsWrongFieldTypes() {
        assertMalformed(syncWith(m -> m.put("data", "QgECAw==")));
        assertMalformed(syncWith(m -> m.remove("data")));
        assertMalformed(syncWith(m -> m.put("targetId", 1)));
        assertMalformed(cbor(Map.of("type", "join", "senderId", "p", "supportedProtocolVersions", List.of(1))));
        assertMalformed(cbor(Map.of("type", "join", "senderId", "p", "peerMetadata", Map.of("isEphemeral", "yes"))));
        assertMalformed(cbor(Map.of("type", "join", "senderId", "p", "peerMetadata", "x")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"4NMNnkMhL8jXrdJ9jamS58PAVdXv", "0NMNnkMhL8jXrdJ9jamS58PAVdXu", "4NMNnkMhL8jXrdJ9jamS58PAVdX!",
            "4N", "", "1111"})
    void rejectsInvalidDocumentId(String documentId) {
        assertMalformed(syncWith(m -> m.put("documentId", documentId)));
    }

    @Test
    void rejectsTrailingBytes() {
        assertMalformed(concat(load("sync"), new byte[] {0}));
        assertMalformed(concat(load("sync"), load("sync")));
    }

    @Test
    void rejectsDeeplyNestedArrays() {
        for (int depth : new int[] {1000, 100_000}) {
            byte[] nested = new byte[depth + 1];
            Arrays.fill(nested, 0, depth, (byte) 0x81);
            assertMalformed(nested);
            assertMalformed(concat(hex("a2" + text("type") + text("sync") + text("data")), nested));
        }
    }

    @Test
    void rejectsHugeDeclaredLengthsWithoutAllocating() {
        assertMalformed(hex("a1" + text("data") + "5b00000000ffffffff00"));
        assertMalformed(hex("a1" + text("data") + "5b7fffffffffffffff00"));
        assertMalformed(hex("a1" + text("type") + "7b00000000ffffffff61"));
        assertMalformed(hex("bb7fffffffffffffff"));
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1, 1.5, Double.NaN, Double.POSITIVE_INFINITY, 1e300})
    void rejectsCountThatIsNotANonNegativeInteger(double count) {
        assertMalformed(ephemeralWith(m -> m.put("count", count)));
    }

    @Test
    void rejectsMissingOrTextualCount() {
        assertMalformed(ephemeralWith(m -> m.put("count", -1L)));
        assertMalformed(ephemeralWith(m -> m.put("count", "5")));
        assertMalformed(ephemeralWith(m -> m.remove("count")));
        assertMalformed(ephemeralWith(m -> m.remove("sessionId")));
    }

    @Test
    void acceptsIntegerCount() throws Exception {
        Ephemeral message = (Ephemeral) codec.decode(ephemeralWith(m -> m.put("count", 3)));

        assertThat(message.count()).isEqualTo(3);
    }

    private void assertMalformed(byte[] frame) {
        assertThatThrownBy(() -> codec.decode(frame))
                .as("decoding %s", HexFormat.of().formatHex(frame, 0, Math.min(frame.length, 64)))
                .isInstanceOf(MalformedMessageException.class);
    }

    private static byte[] syncWith(Consumer<Map<String, Object>> change) {
        Map<String, Object> map = cborMap(load("sync"));
        change.accept(map);
        return cbor(map);
    }

    private static byte[] ephemeralWith(Consumer<Map<String, Object>> change) {
        Map<String, Object> map = cborMap(load("ephemeral"));
        change.accept(map);
        return cbor(map);
    }

    private static String map(int size) {
        return HexFormat.of().toHexDigits((byte) (0xa0 + size));
    }

    private static String text(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        String header = utf8.length < 24
                ? HexFormat.of().toHexDigits((byte) (0x60 + utf8.length))
                : "78" + HexFormat.of().toHexDigits((byte) utf8.length);
        return header + HexFormat.of().formatHex(utf8);
    }
}
