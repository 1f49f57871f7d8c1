package rottsync.sync;

import java.util.ArrayList;
import java.util.List;
import rottsync.protocol.WireMessage;

/** What the sans-IO core wants done after one input: its only way to act on the world. */
public final class Effects {
    /** A message for one connection. */
    public record Send(ConnectionId to, WireMessage message) {}

    /** Close a connection with a WebSocket status code that says why. */
    public record Close(ConnectionId connection, int code, String reason) {}

    /** Bad input or a storage problem worth one log line and a counter; {@code reason} is safe to show. */
    public record Problem(ConnectionId connection, String kind, String reason) {}

    private final List<Send> sends = new ArrayList<>(2);
    private final List<Close> closes = new ArrayList<>(0);
    private final List<StorageTask> storageTasks = new ArrayList<>(0);
    private final List<Problem> problems = new ArrayList<>(0);

    void send(ConnectionId to, WireMessage message) {
        sends.add(new Send(to, message));
    }

    void close(ConnectionId connection, int code, String reason) {
        closes.add(new Close(connection, code, reason));
    }

    void storage(StorageTask task) {
        storageTasks.add(task);
    }

    void problem(ConnectionId connection, String kind, String reason) {
        problems.add(new Problem(connection, kind, reason));
    }

    public List<Send> sends() {
        return sends;
    }

    public List<Close> closes() {
        return closes;
    }

    public List<StorageTask> storageTasks() {
        return storageTasks;
    }

    public List<Problem> problems() {
        return problems;
    }

    public boolean isEmpty() {
        return sends.isEmpty() && closes.isEmpty() && storageTasks.isEmpty() && problems.isEmpty();
    }
}
