package rottsync.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import rottsync.access.NetworkPolicy;

/**
 * Checks the environment variables a user sets before Quarkus reads them, so a typo fails at start-up
 * with a message that names the variable (Quarkus itself would name its internal property instead).
 */
public final class EnvironmentCheck {
    private EnvironmentCheck() {}

    /** One message per invalid variable; empty when everything set is usable. */
    public static List<String> problems(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        port(env, "PORT", problems);
        port(env, "MANAGEMENT_PORT", problems);
        check(env, "HOST", v -> !v.isBlank() && v.trim().equals(v) && !v.contains("/"),
                "must be an IP address or host name to listen on, e.g. 0.0.0.0 or 127.0.0.1", problems);
        check(env, "DATA_DIR", v -> !v.isBlank(), "must be a directory path", problems);
        check(env, "MAX_MESSAGE_SIZE", v -> positiveInt(v), "must be a positive number of bytes", problems);
        check(env, "IDLE_TIMEOUT", EnvironmentCheck::isDuration,
                "must be a duration such as 30s, 5m or PT1M", problems);
        check(env, "KEEPALIVE_INTERVAL", EnvironmentCheck::isDuration,
                "must be a duration such as 5s or PT10S", problems);
        check(env, "JOIN_TIMEOUT", EnvironmentCheck::isDuration, "must be a duration such as 10s", problems);
        for (String name : List.of("MAX_CONNECTIONS", "MAX_CONNECTIONS_PER_ADDRESS", "MESSAGE_RATE", "MESSAGE_BURST",
                "MAX_DOCUMENTS_PER_CONNECTION", "MAX_DOCUMENTS_IN_MEMORY")) {
            check(env, name, EnvironmentCheck::positiveInt, "must be a positive number", problems);
        }
        check(env, "MAX_PENDING_BYTES", v -> v.trim().matches("[1-9]\\d{0,17}"), "must be a positive number of bytes",
                problems);
        check(env, "ALLOWED_NETWORKS", v -> parsesAs(() -> NetworkPolicy.of(v, null)),
                "must be 'any' or comma-separated CIDRs such as 192.168.1.0/24,100.64.0.0/10", problems);
        check(env, "TRUSTED_PROXIES", v -> parsesAs(() -> NetworkPolicy.of(null, v)),
                "must be comma-separated CIDRs such as 172.17.0.1/32", problems);
        if (isSet(env, "AUTH_TOKEN") && isSet(env, "AUTH_TOKEN_FILE")) {
            problems.add("Set AUTH_TOKEN or AUTH_TOKEN_FILE, not both.");
        }
        check(env, "SHUTDOWN_DELAY", EnvironmentCheck::isDuration, "must be a duration such as 0s or 5s", problems);
        check(env, "SHUTDOWN_TIMEOUT", EnvironmentCheck::isDuration, "must be a duration such as 5s", problems);
        check(env, "MIN_FREE_DISK", v -> v.trim().matches("\\d+[KkMmGgTt]?"),
                "must be a size such as 500M, 2G or a number of bytes", problems);
        check(env, "MAX_DOCUMENT_BYTES_IN_MEMORY", v -> v.trim().matches("[1-9]\\d*[KkMmGgTt]?"),
                "must be a size such as 16M, 64M or a number of bytes", problems);
        check(env, "BACKUP_DIR", v -> !v.isBlank(), "must be a directory path", problems);
        check(env, "BACKUP_INTERVAL", v -> isDuration(v) && !v.trim().matches("0+(ms|s|m|h)?"),
                "must be a duration such as 24h, 6h or 30m", problems);
        check(env, "BACKUP_KEEP", EnvironmentCheck::positiveInt, "must be a positive number of archives to keep",
                problems);
        check(env, "LOG_JSON", v -> v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false"),
                "must be true or false", problems);
        backupDirOutsideDataDir(env, problems);
        return problems;
    }

    /** Backups inside the data directory would be backed up again and again, and look like foreign data to it. */
    private static void backupDirOutsideDataDir(Map<String, String> env, List<String> problems) {
        String backup = env.get("BACKUP_DIR");
        if (backup == null || backup.isBlank()) {
            return;
        }
        try {
            java.nio.file.Path b = java.nio.file.Path.of(backup).toAbsolutePath().normalize();
            java.nio.file.Path d = java.nio.file.Path.of(env.getOrDefault("DATA_DIR", "./data")).toAbsolutePath().normalize();
            if (b.startsWith(d) || d.startsWith(b)) {
                problems.add("Invalid BACKUP_DIR='" + backup + "': must be outside DATA_DIR (" + d + ") and not contain it.");
            }
        } catch (java.nio.file.InvalidPathException e) {
            problems.add("Invalid BACKUP_DIR='" + backup + "': not a path (" + e.getReason() + ").");
        }
    }

    private static void port(Map<String, String> env, String name, List<String> problems) {
        check(env, name, v -> {
            try {
                int port = Integer.parseInt(v.trim());
                return port >= 0 && port <= 65535;
            } catch (NumberFormatException e) {
                return false;
            }
        }, "must be a port number from 0 to 65535", problems);
    }

    private static void check(Map<String, String> env, String name, Predicate<String> valid, String rule,
            List<String> problems) {
        String value = env.get(name);
        if (value != null && !valid.test(value)) {
            problems.add("Invalid " + name + "='" + value + "': " + rule + ".");
        }
    }

    private static boolean isSet(Map<String, String> env, String name) {
        return env.get(name) != null && !env.get(name).isBlank();
    }

    private static boolean parsesAs(Runnable parse) {
        try {
            parse.run();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean positiveInt(String v) {
        try {
            return Integer.parseInt(v.trim()) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static boolean isDuration(String v) {
        return v.matches("(?i)PT.+") ? parses(v) : v.trim().matches("\\d+(ms|s|m|h)?");
    }

    private static boolean parses(String v) {
        try {
            java.time.Duration.parse(v.trim());
            return true;
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }
}
