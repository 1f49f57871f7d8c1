package rottsync.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/systemd/rott-sync.service: hardened as docs/raspberry-pi.md says, and clean under
 * {@code systemd-analyze verify}, which exits 0 even for unknown keys or bad values, so any line it
 * prints about the unit counts as a failure.
 */
class SystemdUnitTest {
    static final String UNIT = "deploy/systemd/rott-sync.service";

    @TempDir
    Path temp;

    @Test
    void theUnitIsHardenedAndRestartsOnFailure() throws Exception {
        Map<String, List<String>> service = section(Packaging.read(UNIT), "Service");
        assertThat(service.get("User")).containsExactly("rott-sync");
        assertThat(service.get("ProtectSystem")).containsExactly("strict");
        assertThat(service.get("ReadWritePaths")).containsExactly("/var/lib/rott-sync");
        assertThat(service.get("Environment")).contains("DATA_DIR=/var/lib/rott-sync");
        assertThat(service.get("StateDirectory")).containsExactly("rott-sync");
        assertThat(service.get("NoNewPrivileges")).containsExactly("true");
        assertThat(service.get("PrivateTmp")).containsExactly("true");
        assertThat(service.get("ProtectHome")).containsExactly("true");
        assertThat(service.get("CapabilityBoundingSet")).containsExactly("");
        assertThat(service.get("Restart")).containsExactly("on-failure");
        assertThat(service.get("EnvironmentFile")).containsExactly("-/etc/rott-sync/rott-sync.env");
        assertThat(service.get("ExecStart")).singleElement().asString()
                .endsWith("-jar /opt/rott-sync/quarkus-app/quarkus-run.jar");
        assertThat(section(Packaging.read(UNIT), "Install").get("WantedBy")).containsExactly("multi-user.target");
        // The install script puts the files where the unit expects them.
        String install = Packaging.read("deploy/systemd/install.sh");
        assertThat(install).contains("$dest/opt/rott-sync/quarkus-app", "$dest/var/lib/rott-sync",
                "$dest/etc/rott-sync/rott-sync.env", "$dest/etc/systemd/system/rott-sync.service",
                "systemctl enable rott-sync.service");
    }

    @Test
    void systemdAnalyzeVerifyPrintsNothingAboutTheUnit() throws Exception {
        Assumptions.assumeTrue(Packaging.onPath("systemd-analyze"),
                "systemd-analyze is not installed here (.ci/run installs systemd): verify not run");
        Path unit = unitForThisMachine(Packaging.read(UNIT));
        List<String> lines = verify(unit);
        assertThat(lines).as("systemd-analyze verify output about rott-sync.service").isEmpty();
    }

    @Test
    void aBrokenCopyIsCaughtSoTheCheckAboveMeansSomething() throws Exception {
        Assumptions.assumeTrue(Packaging.onPath("systemd-analyze"),
                "systemd-analyze is not installed here (.ci/run installs systemd): verify not run");
        String broken = Packaging.read(UNIT).replace("ProtectSystem=strict", "ProtectSystem=strictly")
                .replace("Restart=on-failure", "Restartt=on-failure");
        List<String> lines = verify(unitForThisMachine(broken));
        assertThat(lines).anyMatch(l -> l.contains("strictly")).anyMatch(l -> l.contains("Restartt"));
    }

    /** The unit as install.sh leaves it: ExecStart uses this machine's java if /usr/bin/java is absent. */
    private Path unitForThisMachine(String text) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/java"))) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            System.out.println("no /usr/bin/java here: verifying with ExecStart=" + java + " as install.sh writes it");
            text = text.replace("ExecStart=/usr/bin/java ", "ExecStart=" + java + " ");
        }
        Path dir = Files.createDirectories(temp.resolve("unit-" + System.nanoTime()));
        return Files.writeString(dir.resolve("rott-sync.service"), text);
    }

    static List<String> verify(Path unit) throws Exception {
        var result = Packaging.exec(unit.getParent(), Map.of("SYSTEMD_LOG_COLOR", "0"), Duration.ofSeconds(60),
                "systemd-analyze", "verify", "--man=no", unit.toString());
        System.out.println("systemd-analyze verify " + unit.getFileName() + ": exit " + result.code()
                + (result.output().isBlank() ? ", no output" : "\n" + result.output()));
        List<String> ours = new ArrayList<>();
        for (String line : result.output().split("\n")) {
            if (line.contains("rott-sync")) {
                ours.add(line);
            }
        }
        return ours;
    }

    /** key -> values of one [section] of a unit file (keys may repeat). */
    static Map<String, List<String>> section(String unit, String name) {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        boolean inside = false;
        for (String raw : unit.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("[")) {
                inside = line.equals("[" + name + "]");
            } else if (inside && !line.isEmpty() && !line.startsWith("#") && line.contains("=")) {
                String key = line.substring(0, line.indexOf('='));
                String value = line.substring(line.indexOf('=') + 1);
                if (value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                keys.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            }
        }
        return keys;
    }
}
