package rottsync.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rottsync.backup.Manifest;

/**
 * backup, verify and restore as commands of the packaged jar, against data directories that a running
 * server writes, and the server's own scheduled backups.
 */
class BackupRestoreIT {
    @TempDir
    Path scratch;

    @Test
    void theJarListsItsCommandsAndEachExplainsItself() throws Exception {
        Jar.Result help = Jar.run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).contains("backup").contains("verify").contains("restore");
        for (String command : List.of("backup", "verify", "restore")) {
            Jar.Result usage = Jar.run(command, "--help");
            assertThat(usage.exitCode()).isZero();
            assertThat(usage.stdout()).startsWith("Usage: java -jar quarkus-run.jar " + command);
        }
        Jar.Result wrong = Jar.run("backup", "--bogus");
        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.stderr()).contains("unknown option --bogus");
    }

    /**
     * The restore drill: documents written, a backup taken with the jar while a client keeps writing,
     * restored into a fresh directory, a second server started on it, and a real client finds every
     * document there with the heads the backup recorded, each of which is a state the writer really had.
     */
    @Test
    void restoreDrill() throws Exception {
        Path dataA = scratch.resolve("a");
        Path archive = scratch.resolve("backups/drill.tar.gz");
        Path states = scratch.resolve("states.jsonl");
        Path acks = scratch.resolve("acks.jsonl");
        JsonNode created;
        JsonNode written;
        try (ServerProcess a = ServerProcess.rottSync(dataA, "drill-a").start()) {
            created = NodeClient.run("create", "--server", a.url(), "--count", "12", "--changes", "3");
            Process writer = OpsClient.start(scratch.resolve("writer.out"),
                    Path.of("target", "it-logs", "drill-writer-client.log"), "keep-writing", "--server", a.url(),
                    "--docs", "3", "--interval", "10", "--duration", "8000", "--acks-file", acks.toString(),
                    "--states-file", states.toString());
            ShutdownIT.waitFor(() -> OpsClient.lines(acks) >= 30, Duration.ofSeconds(60), "the writer to be busy");

            long writesBefore = OpsClient.lines(states);
            Jar.Result backup = Jar.run("backup", "--to", archive.toString(), "--data-dir", dataA.toString());
            assertThat(backup.exitCode()).as(backup.all()).isZero();
            assertThat(backup.stdout()).contains("backup written: " + archive).contains("15 documents");
            assertThat(OpsClient.lines(states)).as("the client wrote while the backup ran").isGreaterThan(writesBefore);

            assertThat(writer.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(writer.exitValue()).isZero();
            written = NodeClient.parse(Files.readString(scratch.resolve("writer.out")));
        }

        Jar.Result verify = Jar.run("verify", archive.toString());
        assertThat(verify.exitCode()).as(verify.all()).isZero();
        assertThat(verify.stdout()).contains("15 documents").contains("everything loads");

        Manifest manifest = Manifest.readFrom(archive);
        assertThat(manifest.formatVersion()).isEqualTo(1);
        assertThat(manifest.rottSyncVersion()).as("the jar knows its version").matches("\\d+\\.\\d+\\.\\d+.*");
        Map<String, JsonNode> createdHeads = new HashMap<>();
        created.get("docs").forEach(d -> createdHeads.put(id(d.get("url").asText()), d.get("heads")));
        Map<String, Set<List<String>>> writerStates = new HashMap<>();
        for (String line : Files.readAllLines(states)) {
            JsonNode s = NodeClient.parse(line);
            writerStates.computeIfAbsent(id(s.get("url").asText()), k -> new HashSet<>()).add(strings(s.get("heads")));
        }
        assertThat(manifest.documents()).hasSize(15);
        for (Manifest.DocumentEntry doc : manifest.documents()) {
            if (createdHeads.containsKey(doc.id())) {
                assertThat(doc.heads()).as(doc.id()).isEqualTo(strings(createdHeads.get(doc.id())));
            } else {
                assertThat(writerStates.get(doc.id())).as("%s: the backup holds a state the writer had", doc.id())
                        .contains(doc.heads());
            }
        }
        // The writer went on after the backup: the archive is a point in time, not the final state.
        assertThat(written.get("docs").get(0).get("n").asInt()).isPositive();

        Path dataB = scratch.resolve("b");
        Jar.Result restore = Jar.run("restore", "--from", archive.toString(), "--to", dataB.toString());
        assertThat(restore.exitCode()).as(restore.all()).isZero();
        assertThat(restore.stdout()).contains("restored 15 documents");

        ObjectNode expected = JsonNodeFactory.instance.objectNode();
        ArrayNode docs = expected.putArray("docs");
        for (Manifest.DocumentEntry doc : manifest.documents()) {
            ObjectNode d = docs.addObject();
            d.put("url", "automerge:" + doc.id());
            ArrayNode heads = d.putArray("heads");
            doc.heads().forEach(heads::add);
        }
        Path expectedFile = scratch.resolve("expected.json");
        NodeClient.writeJson(expectedFile, expected);
        try (ServerProcess b = ServerProcess.rottSync(dataB, "drill-b").start()) {
            JsonNode fetched = NodeClient.run("fetch", "--server", b.url(), "--expect-heads-file", expectedFile.toString());
            assertThat(fetched.get("docs")).hasSize(15);
            fetched.get("docs").forEach(d -> assertThat(d.get("title").asText()).matches("(doc|writer)-\\d+"));
        }
    }

    @Test
    void verifyNamesACorruptChunkByDocumentAndExitsNonZero() throws Exception {
        Path data = scratch.resolve("data");
        String url;
        try (ServerProcess server = ServerProcess.rottSync(data, "verify-corrupt").start()) {
            url = NodeClient.run("create", "--server", server.url(), "--count", "2").get("docs").get(0).get("url").asText();
        }
        assertThat(Jar.run("verify", "--data-dir", data.toString()).exitCode()).isZero();
        String id = id(url);
        Path chunk;
        try (Stream<Path> files = Files.walk(data.resolve(id.substring(0, 2)).resolve(id.substring(2)))) {
            chunk = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(chunk);
        for (int i = 10; i < bytes.length; i++) {
            bytes[i] = (byte) ~bytes[i];
        }
        Files.write(chunk, bytes);

        Jar.Result verify = Jar.run(Map.of("DATA_DIR", data.toString()), "verify");
        assertThat(verify.exitCode()).isEqualTo(1);
        assertThat(verify.stdout()).contains("PROBLEM " + id + ": chunk " + chunk.getParent().getFileName() + "/"
                + chunk.getFileName() + " is corrupt").contains("1 problem(s)");
    }

    @Test
    void restoreRefusesANonEmptyDirectoryUnlessForced() throws Exception {
        Path data = scratch.resolve("data");
        try (ServerProcess server = ServerProcess.rottSync(data, "restore-refuse").start()) {
            NodeClient.run("create", "--server", server.url());
        }
        Path archive = scratch.resolve("x.tar.gz");
        assertThat(Jar.run("backup", "--to", archive.toString(), "--data-dir", data.toString()).exitCode()).isZero();

        Path busy = scratch.resolve("busy");
        try (ServerProcess other = ServerProcess.rottSync(busy, "restore-refuse-other").start()) {
            NodeClient.run("create", "--server", other.url());
        }
        Jar.Result refused = Jar.run("restore", "--from", archive.toString(), "--to", busy.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains("is not empty").contains("--force");

        Jar.Result forced = Jar.run("restore", "--from", archive.toString(), "--to", busy.toString(), "--force",
                "--keep-storage-id");
        assertThat(forced.exitCode()).as(forced.all()).isZero();
        assertThat(Jar.run("verify", busy.toString()).stdout()).contains("1 documents");
        assertThat(Files.readString(busy.resolve("st/orage-adapter-id")))
                .isEqualTo(Files.readString(data.resolve("st/orage-adapter-id")));
    }

    @Test
    void scheduledBackupsRunKeepTheNewestAndReportInHealthAndMetrics() throws Exception {
        Path data = scratch.resolve("data");
        Path backups = scratch.resolve("backups");
        Map<String, String> env = Map.of("BACKUP_DIR", backups.toString(), "BACKUP_INTERVAL", "2s",
                "BACKUP_KEEP", "2");
        try (ServerProcess server = ServerProcess.rottSync(data, "scheduled-backups", env).start()) {
            NodeClient.run("create", "--server", server.url(), "--count", "2");
            // Two more backups that started after the documents were there (and at least three in all).
            double before = Http.value(Http.metrics(server), "rott_backups_total{result=\"ok\"}");
            Map<String, Double> m = Http.pollMetrics(server, Duration.ofSeconds(30),
                    s -> Http.value(s, "rott_backups_total{result=\"ok\"}") >= Math.max(3, before + 3));
            assertThat(Http.value(m, "rott_backup_last_success")).isEqualTo(1);
            assertThat(Http.value(m, "rott_backup_last_timestamp_seconds")).isGreaterThan(1.7e9);
            assertThat(Http.value(m, "rott_backup_last_size_bytes")).isPositive();
            assertThat(Http.value(m, "rott_backups_total{result=\"failed\"}")).isZero();

            JsonNode storage = HealthIT.check(HealthIT.json(Http.get(server.managementUrl("/q/health/ready"))), "storage");
            assertThat(storage.at("/data/lastBackupResult").asText()).isEqualTo("ok");
            assertThat(storage.at("/data/lastBackupAt").asText()).isNotBlank();
            assertThat(storage.at("/data/backupDir").asText()).isEqualTo(backups.toString());
            assertThat(Http.get(server.managementUrl("/q/health/well")).status()).isEqualTo(200);
            assertThat(server.logSinceStart()).contains("scheduled backups: every 2s into " + backups + ", keeping 2");
        }
        List<Path> archives;
        try (Stream<Path> files = Files.list(backups)) {
            archives = files.sorted().toList();
        }
        assertThat(archives).hasSize(2).allSatisfy(a -> assertThat(a.getFileName().toString())
                .matches("rott-sync-backup-\\d{8}T\\d{6}Z\\.tar\\.gz"));
        for (Path a : archives) {
            Jar.Result verify = Jar.run("verify", a.toString());
            assertThat(verify.exitCode()).as(verify.all()).isZero();
            assertThat(verify.stdout()).contains("2 documents");
        }
    }

    @Test
    void aFailingScheduledBackupShowsInHealthAndMetricsWhileTheServerKeepsServing() throws Exception {
        Path notADirectory = Files.writeString(scratch.resolve("file"), "x");
        Map<String, String> env = Map.of("BACKUP_DIR", notADirectory.resolve("backups").toString(),
                "BACKUP_INTERVAL", "1h");
        try (ServerProcess server = ServerProcess.rottSync(scratch.resolve("data"), "scheduled-backup-fails", env)
                .start()) {
            Http.Response well = Http.poll(server.managementUrl("/q/health/well"), Duration.ofSeconds(20),
                    r -> r.status() == 503);
            JsonNode backups = HealthIT.check(HealthIT.json(well), "backups");
            assertThat(backups.at("/data/lastBackupResult").asText()).isEqualTo("failed");
            assertThat(backups.at("/data/lastBackupError").asText()).isNotBlank();
            Map<String, Double> m = Http.metrics(server);
            assertThat(Http.value(m, "rott_backups_total{result=\"failed\"}")).isEqualTo(1);
            assertThat(Http.value(m, "rott_backup_last_success")).isZero();
            assertThat(Http.get(server.managementUrl("/q/health/ready")).status()).isEqualTo(200);
            NodeClient.run("create", "--server", server.url());
        }
    }

    private static String id(String url) {
        return url.substring("automerge:".length());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        out.sort(null);
        return out;
    }
}
