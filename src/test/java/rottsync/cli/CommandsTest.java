package rottsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rottsync.protocol.DocumentId;
import rottsync.storage.FileChunkStore;
import rottsync.storage.StorageKey;

/** The commands in-process on real directories; BackupRestoreIT runs them as the packaged jar. */
class CommandsTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Command command, String... args) throws Exception {
        out.reset();
        err.reset();
        return command.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpListsTheCommandsAndEachHasItsOwn() {
        assertThat(Commands.isCommand(new String[] {"--help"})).isTrue();
        assertThat(Commands.isCommand(new String[] {"backup", "--to", "x"})).isTrue();
        assertThat(Commands.isCommand(new String[] {})).isFalse();
        assertThat(Commands.overview()).contains("backup ").contains("verify ").contains("restore ");
        for (String name : new String[] {"backup", "verify", "restore"}) {
            assertThat(Commands.find(name)).hasValueSatisfying(c -> assertThat(c.usage())
                    .startsWith("Usage: java -jar quarkus-run.jar " + name).contains("Exit status"));
        }
    }

    @Test
    void backupToADirectoryNamesTheArchiveByTimeAndVerifyAndRestoreAcceptIt() throws Exception {
        Path data = tmp.resolve("data");
        FileChunkStore store = new FileChunkStore(data);
        store.put(StorageKey.storageAdapterId(), "id".getBytes());
        org.automerge.Document doc = new org.automerge.Document();
        try (org.automerge.Transaction tx = doc.startTransaction()) {
            tx.set(org.automerge.ObjectId.ROOT, "k", "v");
            tx.commit();
        }
        String id = DocumentId.random().value();
        store.put(StorageKey.of(id, "snapshot", "abc"), doc.save());
        doc.free();
        Path backups = Files.createDirectories(tmp.resolve("backups"));
        Clock clock = Clock.fixed(Instant.parse("2026-11-25T13:30:00Z"), ZoneOffset.UTC);

        assertThat(run(new BackupCommand(Map.of("DATA_DIR", data.toString()), clock), "--to", backups.toString()))
                .isZero();
        Path archive = backups.resolve("rott-sync-backup-20261125T133000Z.tar.gz");
        assertThat(out.toString()).contains("backup written: " + archive).contains("1 documents");

        assertThat(run(new VerifyCommand(Map.of()), "--archive", archive.toString(), "--verbose")).isZero();
        assertThat(out.toString()).contains("ok      " + id).contains("everything loads");

        assertThat(run(new RestoreCommand(), "--from", archive.toString(), "--to", tmp.resolve("r").toString())).isZero();
        assertThat(out.toString()).contains("restored 1 documents").contains("(new)");
        assertThat(run(new VerifyCommand(Map.of("DATA_DIR", tmp.resolve("r").toString())))).isZero();
    }

    @Test
    void usageErrorsExitTwoAndSayWhy() throws Exception {
        assertThat(run(new BackupCommand(Map.of(), Clock.systemUTC()))).isEqualTo(2);
        assertThat(err.toString()).contains("--to FILE|DIR is required");
        assertThat(run(new RestoreCommand(), "--from", "x")).isEqualTo(2);
        assertThat(run(new VerifyCommand(Map.of()), "--data-dir", "a", "--archive", "b")).isEqualTo(2);
        assertThat(run(new VerifyCommand(Map.of()), "--data-dir")).isEqualTo(2);
        assertThat(err.toString()).contains("--data-dir needs a value");
    }

    @Test
    void aMissingDataDirectoryIsAnErrorNotAnEmptySuccess() {
        int code = Commands.run(new String[] {"verify", "--data-dir", tmp.resolve("nope").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).startsWith("verify: ").contains("nope");
    }
}
