package rottsync.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import rottsync.protocol.DocumentId;

class StorageKeyTest {
    private static final DocumentId DOC = new DocumentId("4NMNnkMhL8jXrdJ9jamS58PAVdXu");

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "/etc", "a\\b", "a\0b"})
    void rejectsUnsafeParts(String part) {
        assertThatThrownBy(() -> StorageKey.of(DOC.value(), "incremental", part))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StorageKey.of(part)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsNullEmptyAndOverlongParts() {
        assertThatThrownBy(() -> new StorageKey(Arrays.asList("a", null))).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> new StorageKey(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StorageKey.of("x".repeat(256))).isInstanceOf(IllegalArgumentException.class);
        assertThat(StorageKey.of("x".repeat(255)).parts()).hasSize(1);
    }

    @Test
    void copiesThePartsList() {
        List<String> parts = new ArrayList<>(List.of(DOC.value(), "snapshot"));
        StorageKey key = new StorageKey(parts);

        parts.add("later");

        assertThat(key.parts()).containsExactly(DOC.value(), "snapshot");
    }

    @Test
    void namedKeysFollowAutomergeRepoLayout() {
        assertThat(StorageKey.storageAdapterId().parts()).containsExactly("storage-adapter-id");
        assertThat(StorageKey.snapshot(DOC, "h").parts()).containsExactly(DOC.value(), "snapshot", "h");
        assertThat(StorageKey.incremental(DOC, "h").parts()).containsExactly(DOC.value(), "incremental", "h");
        assertThat(StorageKey.incremental(DOC, "h").kind()).isEqualTo(StorageKey.INCREMENTAL);
        assertThat(StorageKey.incremental(DOC, "h").last()).isEqualTo("h");
        assertThat(StorageKey.document(DOC).kind()).isNull();
    }

    @Test
    void startsWithComparesWholeParts() {
        StorageKey key = StorageKey.incremental(DOC, "h");

        assertThat(key.startsWith(StorageKey.document(DOC))).isTrue();
        assertThat(key.startsWith(StorageKey.of(DOC.value(), "incremental"))).isTrue();
        assertThat(key.startsWith(key)).isTrue();
        assertThat(key.startsWith(StorageKey.of(DOC.value().substring(0, 10)))).isFalse();
        assertThat(key.startsWith(StorageKey.of(DOC.value(), "incr"))).isFalse();
        assertThat(StorageKey.document(DOC).startsWith(key)).isFalse();
    }
}
