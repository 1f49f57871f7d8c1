import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.automerge.ChangeHash;
import org.automerge.Document;
import org.automerge.ObjectId;
import org.automerge.SyncState;
import org.automerge.Transaction;

/**
 * What automerge-java itself needs for one document, with no server around it: the floor for the
 * large-document workload. Run by bench/run.mjs as a single-file program on the automerge jar:
 *
 * <pre>java -cp org.automerge.automerge-0.0.7.jar bench/AutomergeFloor.java DIR [REPS]</pre>
 *
 * DIR holds what {@code bench/workload.mjs record-big} wrote: the sync messages a real 2.5.6 client sends
 * to a server that lacks the document (client-0.bin, client-1.bin, …), a fresh reader's first request
 * (reader-0.bin) and the document itself (doc.bin). Each repetition replays, on a fresh document:
 *
 * <ol>
 *   <li>upload: receive every client message and generate the server's reply after each;</li>
 *   <li>save: one full save, the least a durable server must write for a new document;</li>
 *   <li>serve: a fresh reader's request received and the reply (the whole document) generated.</li>
 * </ol>
 *
 * floor = upload + save + serve, in CPU seconds of the calling thread (the engine is single-threaded),
 * median of REPS. Also reported, not part of the floor: encodeChangesSince(no heads) (the bytes of an
 * incremental chunk holding everything) and, once, a load of the saved bytes (a restart or reload).
 * Prints one JSON line.
 */
public final class AutomergeFloor {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<byte[]> upload = new ArrayList<>();
        for (int i = 0; Files.exists(dir.resolve("client-" + i + ".bin")); i++) {
            upload.add(Files.readAllBytes(dir.resolve("client-" + i + ".bin")));
        }
        byte[] request = Files.readAllBytes(dir.resolve("reader-0.bin"));
        if (upload.isEmpty()) {
            throw new IllegalArgumentException("no client-<i>.bin in " + dir);
        }
        warmUp();

        double[] up = new double[reps], changes = new double[reps], save = new double[reps],
                serve = new double[reps], load = new double[reps], floor = new double[reps];
        int savedBytes = 0;
        for (int r = 0; r < reps; r++) {
            Document server = new Document();
            SyncState state = new SyncState();
            up[r] = cpu(() -> {
                for (byte[] message : upload) {
                    server.receiveSyncMessage(state, message);
                    server.generateSyncMessage(state);
                }
                return null;
            });
            if (server.getHeads().length == 0) {
                throw new IllegalStateException("the upload left the document empty");
            }
            byte[][] saved = new byte[1][];
            save[r] = cpu(() -> saved[0] = server.save());
            savedBytes = saved[0].length;
            changes[r] = cpu(() -> server.encodeChangesSince(new ChangeHash[0]));
            SyncState reader = new SyncState();
            serve[r] = cpu(() -> {
                server.receiveSyncMessage(reader, request);
                return server.generateSyncMessage(reader).orElseThrow(() ->
                        new IllegalStateException("no reply for a fresh reader"));
            });
            if (r == 0) {
                load[r] = cpu(() -> {
                    Document.load(saved[0]).free();
                    return null;
                });
            }
            floor[r] = up[r] + save[r] + serve[r];
            reader.free();
            state.free();
            server.free();
        }
        System.out.println(String.format(Locale.ROOT,
                "{\"reps\":%d,\"uploadMessages\":%d,\"uploadBytes\":%d,\"savedBytes\":%d,"
                        + "\"uploadS\":%.3f,\"saveS\":%.3f,\"serveS\":%.3f,\"floorS\":%.3f,"
                        + "\"encodeChangesS\":%.3f,\"loadS\":%.3f,\"floorRunsS\":%s}",
                reps, upload.size(), upload.stream().mapToInt(b -> b.length).sum(), savedBytes,
                median(up), median(save), median(serve), median(floor), median(changes), load[0],
                Arrays.toString(Arrays.stream(floor).map(x -> Math.round(x * 1000) / 1000.0).toArray())));
    }

    /** Loads the native library and warms the JNI wrappers on a tiny document. */
    private static void warmUp() {
        for (int i = 0; i < 20; i++) {
            Document a = new Document();
            try (Transaction tx = a.startTransaction()) {
                tx.set(ObjectId.ROOT, "k", "v" + i);
                tx.commit();
            }
            Document b = new Document();
            SyncState sa = new SyncState(), sb = new SyncState();
            for (int round = 0; round < 4; round++) {
                a.generateSyncMessage(sa).ifPresent(m -> b.receiveSyncMessage(sb, m));
                b.generateSyncMessage(sb).ifPresent(m -> a.receiveSyncMessage(sa, m));
            }
            Document.load(b.save()).free();
            sa.free();
            sb.free();
            a.free();
            b.free();
        }
    }

    private static double cpu(Supplier<Object> work) {
        long started = THREADS.getCurrentThreadCpuTime();
        work.get();
        return (THREADS.getCurrentThreadCpuTime() - started) / 1e9;
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
