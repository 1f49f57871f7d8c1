package rottsync.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this build (written by Maven into rottsync/version.properties; "dev" if absent). */
public final class Version {
    private Version() {}

    public static String current() {
        try (InputStream in = Version.class.getResourceAsStream("/rottsync/version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "dev");
                return v.startsWith("${") ? "dev" : v;
            }
        } catch (IOException e) {
            // fall through
        }
        return "dev";
    }
}
