package rottsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.automerge.ChangeHash;
import org.automerge.Document;
import org.automerge.ObjectId;
import org.automerge.SyncState;
import org.automerge.Transaction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The header fields read from real Automerge sync messages. */
class SyncMessagesTest {
    private final Document ours = documentWith("title", "hello");
    private final Document other = documentWith("title", "other");

    @AfterEach
    void free() {
        ours.free();
        other.free();
    }

    @Test
    void aFirstMessageFromAPeerWithTheSameHeadsSaysItIsUpToDate() {
        byte[] message = firstMessage(ours);
        assertThat(SyncMessages.headCount(message)).isEqualTo(1);
        assertThat(SyncMessages.isUpToDateAt(message, ours.getHeads())).isTrue();
        assertThat(SyncMessages.isUpToDateAt(message, other.getHeads())).as("other heads").isFalse();
        assertThat(SyncMessages.isUpToDateAt(message, new ChangeHash[0])).as("fewer heads").isFalse();
    }

    @Test
    void aMessageCarryingChangesOrNeedsIsNotUpToDate() {
        // A peer with nothing asks; the reply to it carries our changes.
        Document empty = new Document();
        SyncState emptyState = new SyncState();
        SyncState ourState = new SyncState();
        try {
            byte[] request = empty.generateSyncMessage(emptyState).orElseThrow();
            assertThat(SyncMessages.isUpToDateAt(request, new ChangeHash[0])).as("no heads, but a have").isTrue();
            ours.generateSyncMessage(ourState); // our opening message
            ours.receiveSyncMessage(ourState, request);
            byte[] withChanges = ours.generateSyncMessage(ourState).orElseThrow();
            assertThat(SyncMessages.isUpToDateAt(withChanges, ours.getHeads())).as("carries changes").isFalse();

            empty.receiveSyncMessage(emptyState, firstMessage(ours));
            byte[] needing = empty.generateSyncMessage(emptyState).orElseThrow();
            assertThat(SyncMessages.isUpToDateAt(needing, new ChangeHash[0])).as("needs our heads").isFalse();
        } finally {
            emptyState.free();
            ourState.free();
            empty.free();
        }
    }

    @Test
    void aFreshPeerListingV2IsServedWholeDocuments() {
        Document empty = new Document();
        SyncState state = new SyncState();
        try {
            byte[] fresh = empty.generateSyncMessage(state).orElseThrow();
            assertThat(SyncMessages.isFreshPeerReadingWholeDocuments(fresh)).isTrue();
            // The same message without its capability trailer: an old peer that reads only v1 messages.
            byte[] withoutTrailer = Arrays.copyOf(fresh, 1 + 1 + 1 + 1 + 1 + 1 + 1);
            assertThat(withoutTrailer).startsWith(0x42, 0, 0, 1, 0, 0, 0);
            assertThat(SyncMessages.isFreshPeerReadingWholeDocuments(withoutTrailer)).isFalse();
            assertThat(SyncMessages.isFreshPeerReadingWholeDocuments(firstMessage(ours))).as("has heads").isFalse();
        } finally {
            state.free();
            empty.free();
        }
    }

    @Test
    void bytesThatAreNotASyncMessageAreNeverUpToDate() {
        byte[] message = firstMessage(ours);
        // type, head count, one head, need count, have count: cut anywhere before the have count ends
        for (int cut = 0; cut <= 1 + 1 + 32 + 1; cut++) {
            byte[] truncated = Arrays.copyOf(message, cut);
            assertThat(SyncMessages.isUpToDateAt(truncated, ours.getHeads())).as("cut at %d", cut).isFalse();
        }
        assertThat(SyncMessages.isUpToDateAt(new byte[] {0x41, 0, 0, 0, 0}, new ChangeHash[0])).isFalse();
        assertThat(SyncMessages.headCount(new byte[] {0x42, (byte) 0x80})).isEqualTo(-1);
    }

    private static byte[] firstMessage(Document doc) {
        SyncState fresh = new SyncState();
        try {
            return doc.generateSyncMessage(fresh).orElseThrow();
        } finally {
            fresh.free();
        }
    }

    private static Document documentWith(String key, String value) {
        Document doc = new Document();
        try (Transaction tx = doc.startTransaction()) {
            tx.set(ObjectId.ROOT, key, value);
            tx.commit();
        }
        return doc;
    }
}
