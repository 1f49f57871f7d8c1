package rottsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.automerge.ChangeHash;
import org.automerge.Document;
import org.automerge.ObjectId;
import org.automerge.Transaction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Heads read from chunks that automerge-java itself wrote, against the heads it reports. */
class StoredHistoryTest {
    private final Document doc = new Document();

    @AfterEach
    void free() {
        doc.free();
    }

    @Test
    void incrementalChunksGiveTheDocumentsHeads() {
        change(doc, "title", "one");
        byte[] first = doc.encodeChangesSince(new ChangeHash[0]);
        ChangeHash[] afterFirst = doc.getHeads();
        change(doc, "title", "two");
        change(doc, "body", "x".repeat(5000)); // large enough for Automerge to compress the change
        byte[] rest = doc.encodeChangesSince(afterFirst);

        assertThat(StoredHistory.heads(List.of(first, rest))).hasValueSatisfying(
                heads -> assertThat(heads).containsExactly(doc.getHeads()));
    }

    @Test
    void concurrentChangesGiveEveryHead() {
        change(doc, "title", "base");
        Document other = doc.fork();
        try {
            change(doc, "a", "1");
            change(other, "b", "2");
            doc.merge(other);
            assertThat(doc.getHeads()).hasSize(2);

            assertThat(StoredHistory.heads(List.of(doc.encodeChangesSince(new ChangeHash[0])))).hasValueSatisfying(
                    heads -> assertThat(heads).containsExactly(doc.getHeads()));
        } finally {
            other.free();
        }
    }

    @Test
    void aCompactedDocumentGivesItsHeads() {
        change(doc, "title", "one");
        change(doc, "body", "y".repeat(3000));
        assertThat(StoredHistory.heads(List.of(doc.save()))).hasValueSatisfying(
                heads -> assertThat(heads).containsExactly(doc.getHeads()));
    }

    @Test
    void noAnswerWhereItWouldBeAGuess() {
        change(doc, "title", "one");
        byte[] snapshot = doc.save();
        ChangeHash[] atSnapshot = doc.getHeads();
        change(doc, "title", "two");
        byte[] later = doc.encodeChangesSince(atSnapshot);

        assertThat(StoredHistory.heads(List.of(snapshot, later))).as("snapshot beside incrementals").isEmpty();
        assertThat(StoredHistory.heads(List.of(later))).as("a dependency is missing").isEmpty();

        byte[] corrupt = later.clone();
        corrupt[corrupt.length - 1] ^= 1;
        assertThat(StoredHistory.heads(List.of(snapshot.clone(), corrupt))).isEmpty();
        byte[] corruptSnapshot = snapshot.clone();
        corruptSnapshot[corruptSnapshot.length / 2] ^= 1;
        assertThat(StoredHistory.heads(List.of(corruptSnapshot))).as("checksum").isEmpty();
        assertThat(StoredHistory.heads(List.of(new byte[] {1, 2, 3}))).as("not a chunk").isEmpty();
    }

    private static void change(Document doc, String key, String value) {
        try (Transaction tx = doc.startTransaction()) {
            tx.set(ObjectId.ROOT, key, value);
            tx.commit();
        }
    }
}
