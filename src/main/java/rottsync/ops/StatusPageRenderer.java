package rottsync.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The status page: one small HTML document with inline CSS and script and no external assets, so it works
 * on a LAN without internet and reads well on a phone. The values are in the HTML as served; the script
 * refreshes them every few seconds from {@code status.json}, which carries the same values both raw and
 * formatted for display.
 */
public final class StatusPageRenderer {
    static final int REFRESH_SECONDS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private static final String COUNTING = "counting…";

    private StatusPageRenderer() {}

    /** Display strings by key; the page's {@code data-k} attributes name these keys. */
    static Map<String, String> display(StatusSnapshot s, String clientUrl, Instant now) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("state", s.shuttingDown() ? "shutting down" : "running");
        d.put("clientUrl", clientUrl);
        d.put("connectedPeers", String.valueOf(s.connectedPeers()));
        d.put("documentsStored", s.documentsStored() < 0 ? COUNTING : String.valueOf(s.documentsStored()));
        d.put("documentsInMemory", String.valueOf(s.documentsInMemory()));
        d.put("storageSize", s.storageBytes() < 0 ? COUNTING : bytes(s.storageBytes()));
        d.put("diskFree", s.diskFreeBytes() < 0 ? "unknown"
                : bytes(s.diskFreeBytes()) + (s.diskFreeBytes() < s.minFreeBytes() ? " (below MIN_FREE_DISK "
                        + bytes(s.minFreeBytes()) + ")" : ""));
        d.put("lastBackup", lastBackup(s, now));
        d.put("access", s.access());
        d.put("uptime", duration(s.uptime()));
        d.put("version", s.version());
        d.put("updated", TIME.format(now));
        return d;
    }

    public static String json(StatusSnapshot s, String clientUrl, Instant now) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", s.version());
        out.put("startedAt", s.startedAt().toString());
        out.put("uptimeSeconds", s.uptime().toSeconds());
        out.put("clientUrl", clientUrl);
        out.put("connectedPeers", s.connectedPeers());
        out.put("connections", s.connections());
        out.put("documentsStored", s.documentsStored() < 0 ? null : s.documentsStored());
        out.put("documentsInMemory", s.documentsInMemory());
        out.put("storageBytes", s.storageBytes() < 0 ? null : s.storageBytes());
        out.put("diskFreeBytes", s.diskFreeBytes());
        out.put("shuttingDown", s.shuttingDown());
        out.put("access", s.access());
        Map<String, Object> backup = new LinkedHashMap<>();
        backup.put("enabled", s.backupsEnabled());
        if (s.lastBackup() != null) {
            backup.put("lastAt", s.lastBackup().at().toString());
            backup.put("lastOk", s.lastBackup().ok());
            backup.put("lastError", s.lastBackup().error());
        }
        if (s.nextBackup() != null) {
            backup.put("nextAt", s.nextBackup().toString());
        }
        out.put("backup", backup);
        out.put("display", display(s, clientUrl, now));
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String html(StatusSnapshot s, String clientUrl, Instant now) {
        Map<String, String> d = display(s, clientUrl, now);
        StringBuilder rows = new StringBuilder();
        row(rows, d, "connectedPeers", "Connected peers");
        row(rows, d, "documentsStored", "Documents stored");
        row(rows, d, "documentsInMemory", "Documents in memory");
        row(rows, d, "storageSize", "Storage size");
        row(rows, d, "diskFree", "Free disk");
        row(rows, d, "lastBackup", "Last backup");
        row(rows, d, "access", "Access");
        row(rows, d, "uptime", "Uptime");
        row(rows, d, "version", "Version");
        return """
                <!doctype html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>rott-sync</title>
                <style>
                :root { color-scheme: light dark; --fg: #1d1d1f; --bg: #f6f6f4; --card: #fff; --muted: #6b6b70; --ok: #1a7f37; --warn: #b35900; }
                @media (prefers-color-scheme: dark) { :root { --fg: #e8e8ea; --bg: #161618; --card: #222226; --muted: #9a9aa2; --ok: #4ac26b; --warn: #f0a040; } }
                * { box-sizing: border-box; }
                body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
                main { max-width: 36rem; margin: 0 auto; padding: 1rem; }
                h1 { font-size: 1.4rem; margin: .5rem 0 1rem; display: flex; gap: .6rem; align-items: baseline; flex-wrap: wrap; }
                .state { font-size: .85rem; font-weight: 600; color: var(--ok); }
                .state.down { color: var(--warn); }
                .card { background: var(--card); border-radius: .6rem; padding: .9rem 1rem; margin-bottom: 1rem; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
                .label { color: var(--muted); font-size: .85rem; }
                .url { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; margin-top: .3rem; }
                code { font: 600 1rem ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
                button { font: inherit; font-size: .85rem; padding: .25rem .7rem; border-radius: .4rem; border: 1px solid var(--muted); background: transparent; color: inherit; }
                dl { display: grid; grid-template-columns: minmax(8rem, auto) 1fr; gap: .45rem 1rem; margin: 0; }
                dt { color: var(--muted); }
                dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
                footer { color: var(--muted); font-size: .8rem; }
                </style>
                </head>
                <body>
                <main>
                <h1>rott-sync <span class="state%s" data-k="state">%s</span></h1>
                <div class="card">
                <div class="label">Clients connect to</div>
                <div class="url"><code id="url" data-k="clientUrl">%s</code><button id="copy" type="button">Copy</button></div>
                </div>
                <div class="card">
                <dl>
                %s</dl>
                </div>
                <footer>Updated <span data-k="updated">%s</span>. Health checks and metrics are served on the management port only.</footer>
                </main>
                <script>
                (function () {
                  var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host;
                  var show = function (d) {
                    d.clientUrl = url;
                    document.querySelectorAll("[data-k]").forEach(function (el) {
                      var v = d[el.getAttribute("data-k")];
                      if (v !== undefined && el.textContent !== v) el.textContent = v;
                    });
                    var st = document.querySelector(".state");
                    st.className = d.state === "running" ? "state" : "state down";
                  };
                  document.getElementById("url").textContent = url;
                  document.getElementById("copy").addEventListener("click", function () {
                    var done = function () { document.getElementById("copy").textContent = "Copied"; };
                    if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(url).then(done); return; }
                    var r = document.createRange(); r.selectNodeContents(document.getElementById("url"));
                    var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
                    try { if (document.execCommand("copy")) done(); } catch (e) {}
                  });
                  var refresh = function () {
                    fetch("status.json", { cache: "no-store" }).then(function (r) { return r.json(); })
                      .then(function (j) { show(j.display); }).catch(function () {});
                  };
                  setInterval(refresh, %d);
                })();
                </script>
                </body>
                </html>
                """.formatted(s.shuttingDown() ? " down" : "", escape(d.get("state")), escape(clientUrl), rows,
                escape(d.get("updated")), REFRESH_SECONDS * 1000);
    }

    private static void row(StringBuilder out, Map<String, String> d, String key, String label) {
        out.append("<dt>").append(escape(label)).append("</dt><dd data-k=\"").append(key).append("\">")
                .append(escape(d.get(key))).append("</dd>\n");
    }

    static String lastBackup(StatusSnapshot s, Instant now) {
        if (!s.backupsEnabled()) {
            return "off (BACKUP_DIR is not set)";
        }
        ScheduledBackups.Outcome last = s.lastBackup();
        if (last == null) {
            return "none yet" + (s.nextBackup() == null ? "" : "; next at " + TIME.format(s.nextBackup()));
        }
        String when = TIME.format(last.at()) + " (" + duration(Duration.between(last.at(), now)) + " ago)";
        if (!last.ok()) {
            return when + ": FAILED: " + last.error();
        }
        return when + ": ok" + (last.documents() >= 0 ? ", " + last.documents() + " documents" : "");
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        if (s < 86_400) {
            return (s / 3600) + " h " + (s % 3600 / 60) + " min";
        }
        return (s / 86_400) + " d " + (s % 86_400 / 3600) + " h";
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
