package rottsync.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup, verify and restore on real data directories with real Automerge documents, plus the system's
 * own {@code tar}, which must read the archive as an operator would.
 */
class BackupTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T13:30:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    @Test
    void archiveHoldsEveryDocumentWithItsHeadsAndChecksums() throws Exception {
        StoreFixture store = new StoreFixture(tmp.resolve("data"), "11111111-2222-3333-4444-555555555555");
        StoreFixture.Written a = store.document("a", 0);
        StoreFixture.Written b = store.document("b", 3);

        Backup.Result result = Backup.create(store.root, tmp.resolve("out/backup.tar.gz"), "test", CLOCK);

        assertThat(result.ok()).isTrue();
        assertThat(result.documents()).isEqualTo(2);
        Verify.Report report = Verify.archive(result.archive(), r -> { });
        assertThat(report.problems()).isEmpty();
        assertThat(report.documents()).isEqualTo(2);
        assertThat(report.chunks()).isEqualTo(5);
        Manifest manifest = manifestOf(result.archive());
        assertThat(manifest.format()).isEqualTo("rott-sync-backup");
        assertThat(manifest.formatVersion()).isEqualTo(1);
        assertThat(manifest.storageId()).isEqualTo("11111111-2222-3333-4444-555555555555");
        assertThat(manifest.documents()).extracting(Manifest.DocumentEntry::id)
                .containsExactlyInAnyOrder(a.id(), b.id());
        Manifest.DocumentEntry entryB = manifest.documents().stream().filter(d -> d.id().equals(b.id())).findFirst()
                .orElseThrow();
        assertThat(entryB.heads()).isEqualTo(b.heads());
        assertThat(entryB.chunks()).hasSize(4).allSatisfy(c -> {
            byte[] onDisk = Files.readAllBytes(store.root.resolve(c.path().substring("data/".length())));
            assertThat(c.size()).isEqualTo(onDisk.length);
            assertThat(c.sha256()).isEqualTo(Chunk.sha256(onDisk));
        });
    }

    @Test
    void systemTarReadsTheArchiveAndItsDataDirectoryVerifies() throws Exception {
        StoreFixture store = new StoreFixture(tmp.resolve("data"), "id-1");
        StoreFixture.Written doc = store.document("tar", 2);
        Path archive = Backup.create(store.root, tmp.resolve("b.tar.gz"), "test", CLOCK).archive();

        Path out = Files.createDirectories(tmp.resolve("extracted"));
        Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", out.toString())
                .redirectErrorStream(true).start();
        assertThat(tar.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as(new String(tar.getInputStream().readAllBytes())).isZero();

        assertThat(out.resolve("manifest.json")).isRegularFile();
        assertThat(doc.file(out.resolve("data"), 2)).hasSameBinaryContentAs(doc.file(store.root, 2));
        List<DocumentCheck.Result> seen = new ArrayList<>();
        Verify.Report report = Verify.dataDirectory(out.resolve("data"), seen::add);
        assertThat(report.ok()).isTrue();
        assertThat(seen).singleElement().satisfies(r -> assertThat(r.heads()).isEqualTo(doc.heads()));
    }

    @Test
    void verifyNamesTheCorruptChunkAndItsDocument() throws Exception {
        StoreFixture store = new StoreFixture(tmp.resolve("data"), "id-1");
        StoreFixture.Written good = store.document("good", 2);
        StoreFixture.Written bad = store.document("bad", 2);
        Path victim = bad.file(store.root, 1);
        byte[] bytes = Files.readAllBytes(victim);
        for (int i = 8; i < bytes.length; i++) {
            bytes[i] ^= 0x5a;
        }
        Files.write(victim, bytes);

        Verify.Report report = Verify.dataDirectory(store.root, r -> { });

        assertThat(report.ok()).isFalse();
        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.documentId()).isEqualTo(bad.id());
            assertThat(p.message()).contains("incremental/" + victim.getFileName()).contains("corrupt");
        });
        assertThat(report.problems()).noneMatch(p -> good.id().equals(p.documentId()));
    }

    @Test
    void verifyReportsAMissingChunkThatOthersDependOn() throws Exception {
        StoreFixture store = new StoreFixture(tmp.resolve("data"), "id-1");
        StoreFixture.Written doc = store.document("gap", 3);
        java.nio.file.Files.delete(doc.file(store.root, 2));

        Verify.Report report = Verify.dataDirectory(store.root, r -> { });

        assertThat(report.problems()).singleElement().satisfies(p -> {
            assertThat(p.documentId()).isEqualTo(doc.id());
            assertThat(p.message()).contains("are missing");
        });
    }

    @Test
    void backupCopiesADamagedDocumentButSaysSo() throws Exception {
        StoreFixture store = new StoreFixture(tmp.resolve("data"), "id-1");
        StoreFixture.Written bad = store.document("bad", 1);
        Files.write(bad.file(store.root, 0), "not automerge at all".getBytes(StandardCharsets.UTF_8));

        Backup.Result result = Backup.create(store.root, tmp.resolve("b.tar.gz"), "test", CLOCK);

        assertThat(result.ok()).isFalse();
        assertThat(result.problems()).singleElement().asString().startsWith(bad.id() + ": chunk snapshot/");
        Verify.Report report = Verify.archive(result.archive(), r -> { });
        assertThat(report.problems()).extracting(Verify.Problem::documentId).containsOnly(bad.id());
        assertThat(report.problems()).anyMatch(p -> p.message().startsWith("was already damaged"));
    }

    @Test
    void verifyCatchesATamperedTruncatedOrForeignArchive() throws Exception {
        StoreFixture store = new StoreFixture(tmp.resolve("data"), "id-1");
        StoreFixture.Written doc = store.document("doc", 1);
        Path archive = Backup.create(store.root, tmp.resolve("b.tar.gz"), "test", CLOCK).archive();

        // Same entries, one chunk's bytes changed by one bit: only the manifest's checksum can tell.
        Path tampered = tmp.resolve("tampered.tar.gz");
        List<String[]> names = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        Archive.read(archive, (path, bytes) -> {
            names.add(new String[] {path});
            contents.add(bytes);
        });
        String target = "data/" + doc.id().substring(0, 2) + "/" + doc.id().substring(2) + "/incremental/"
                + doc.chunks().get(1).last();
        writeTar(tampered, names, contents, target);
        Verify.Report report = Verify.archive(tampered, r -> { });
        assertThat(report.problems()).anySatisfy(p -> {
            assertThat(p.documentId()).isEqualTo(doc.id());
            assertThat(p.message()).contains("does not match its checksum");
        });

        byte[] all = Files.readAllBytes(archive);
        Path truncated = tmp.resolve("truncated.tar.gz");
        Files.write(truncated, java.util.Arrays.copyOf(all, all.length / 2));
        assertThat(Verify.archive(truncated, r -> { }).problems())
                .anySatisfy(p -> assertThat(p.message()).contains("cannot be read to the end"));

        Path foreign = tmp.resolve("foreign.tar.gz");
        writeTar(foreign, List.<String[]>of(new String[] {"hello.txt"}), List.of("hi".getBytes()), null);
        assertThat(Verify.archive(foreign, r -> { }).problems()).extracting(Verify.Problem::message)
                .anyMatch(m -> m.contains("no manifest.json"));
    }

    @Test
    void restoreRebuildsTheDataDirectoryWithANewStorageIdByDefault() throws Exception {
        StoreFixture store = new StoreFixture(tmp.resolve("data"), "old-id");
        StoreFixture.Written doc = store.document("r", 2);
        Path archive = Backup.create(store.root, tmp.resolve("b.tar.gz"), "test", CLOCK).archive();

        Restore.Result result = Restore.run(archive, tmp.resolve("restored"), false, false);

        assertThat(result.documents()).isEqualTo(1);
        assertThat(result.storageIdKept()).isFalse();
        assertThat(result.storageId()).isNotEqualTo("old-id");
        assertThat(new DataDirectory(tmp.resolve("restored")).storageId()).hasValue(result.storageId());
        assertThat(doc.file(tmp.resolve("restored"), 2)).hasSameBinaryContentAs(doc.file(store.root, 2));
        List<DocumentCheck.Result> seen = new ArrayList<>();
        assertThat(Verify.dataDirectory(tmp.resolve("restored"), seen::add).ok()).isTrue();
        assertThat(seen).singleElement().satisfies(r -> assertThat(r.heads()).isEqualTo(doc.heads()));

        Restore.Result kept = Restore.run(archive, tmp.resolve("kept"), false, true);
        assertThat(kept.storageId()).isEqualTo("old-id");
    }

    @Test
    void restoreRefusesANonEmptyDirectoryUnlessForced() throws Exception {
        StoreFixture store = new StoreFixture(tmp.resolve("data"), "id-1");
        StoreFixture.Written doc = store.document("r", 0);
        Path archive = Backup.create(store.root, tmp.resolve("b.tar.gz"), "test", CLOCK).archive();
        Path target = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(target.resolve("precious.txt"), "keep me");
        Files.createDirectories(target.resolve("lost+found"));

        assertThatThrownBy(() -> Restore.run(archive, target, false, false))
                .isInstanceOf(Restore.Refused.class).hasMessageContaining("not empty");
        assertThat(target.resolve("precious.txt")).exists();

        Restore.run(archive, target, true, false);
        assertThat(target.resolve("precious.txt")).doesNotExist();
        assertThat(target.resolve("lost+found")).isDirectory();
        assertThat(doc.file(target, 0)).exists();
    }

    @Test
    void restoreOfADamagedArchiveChangesNothing() throws Exception {
        StoreFixture store = new StoreFixture(tmp.resolve("data"), "id-1");
        store.document("r", 0);
        Path archive = Backup.create(store.root, tmp.resolve("b.tar.gz"), "test", CLOCK).archive();
        byte[] all = Files.readAllBytes(archive);
        Files.write(archive, java.util.Arrays.copyOf(all, all.length - 40));

        assertThatThrownBy(() -> Restore.run(archive, tmp.resolve("target"), false, false))
                .isInstanceOf(Restore.Refused.class)
                .satisfies(e -> assertThat(((Restore.Refused) e).problems()).isNotEmpty());
        assertThat(tmp.resolve("target")).doesNotExist();
    }

    @Test
    void backupRefusesToWriteIntoTheDataDirectoryOrOverAnExistingFile() throws Exception {
        StoreFixture store = new StoreFixture(tmp.resolve("data"), "id-1");
        assertThatThrownBy(() -> Backup.create(store.root, store.root.resolve("x.tar.gz"), "t", CLOCK))
                .hasMessageContaining("inside the data directory");
        Path existing = Files.writeString(tmp.resolve("exists.tar.gz"), "x");
        assertThatThrownBy(() -> Backup.create(store.root, existing, "t", CLOCK))
                .hasMessageContaining("will not overwrite");
        assertThat(existing).hasContent("x");
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".partial-"));
        }
    }

    static Manifest manifestOf(Path archive) throws Exception {
        Manifest[] out = {null};
        Archive.read(archive, (path, bytes) -> {
            if (path.equals(Manifest.ENTRY_NAME)) {
                out[0] = Manifest.parse(bytes);
            }
        });
        return out[0];
    }

    /** Rewrites entries into a new tar.gz, flipping one bit of {@code flip}'s content. */
    private static void writeTar(Path file, List<String[]> names, List<byte[]> contents, String flip)
            throws Exception {
        try (OutputStream out = Files.newOutputStream(file);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (int i = 0; i < names.size(); i++) {
                byte[] bytes = contents.get(i).clone();
                if (names.get(i)[0].equals(flip)) {
                    bytes[bytes.length - 1] ^= 1;
                }
                TarArchiveEntry entry = new TarArchiveEntry(names.get(i)[0]);
                entry.setSize(bytes.length);
                tar.putArchiveEntry(entry);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        }
    }

    static byte[] gzip(byte[] in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(in);
        }
        return out.toByteArray();
    }
}
