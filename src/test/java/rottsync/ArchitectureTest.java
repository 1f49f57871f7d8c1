package rottsync;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The sans-IO core stays free of framework and I/O types; only server (and ops) touch Quarkus. */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("rottsync");

    private static final String[] FRAMEWORKS = {
        "io.quarkus..", "jakarta..", "io.smallrye..", "io.vertx..", "io.micrometer..", "org.jboss.."
    };

    @Test
    void protocolDependsOnlyOnTheJdkAndCbor() {
        noClasses().that().resideInAPackage("rottsync.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "rottsync.sync..", "rottsync.storage..", "rottsync.server..", "org.automerge..")
                .orShould().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS)
                .check(CLASSES);
    }

    @Test
    void storageKnowsNothingOfSyncOrTheServer() {
        noClasses().that().resideInAPackage("rottsync.storage..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "rottsync.sync..", "rottsync.server..", "org.automerge..")
                .orShould().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS)
                .check(CLASSES);
    }

    @Test
    void syncIsSansIo() {
        noClasses().that().resideInAPackage("rottsync.sync..")
                .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS)
                .orShould().dependOnClassesThat().resideInAnyPackage("rottsync.server..", "java.nio.file..",
                        "java.net..", "java.util.concurrent.locks..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("rottsync.storage.ChunkStore")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("rottsync.storage.FileChunkStore")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
                .check(CLASSES);
    }

    @Test
    void theChangeGraphNeedsNoEngine() {
        noClasses().that().resideInAPackage("rottsync.graph..")
                .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS)
                .orShould().dependOnClassesThat().resideInAnyPackage("org.automerge..", "rottsync.sync..",
                        "rottsync.storage..", "rottsync.server..", "java.nio.file..", "java.net..")
                .check(CLASSES);
    }

    @Test
    void accessPolicyIsPlainJava() {
        noClasses().that().resideInAPackage("rottsync.access..")
                .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS)
                .orShould().dependOnClassesThat().resideInAnyPackage("rottsync.sync..", "rottsync.storage..",
                        "rottsync.server..")
                .check(CLASSES);
    }

    @Test
    void backupIsPlainJavaOverStorage() {
        noClasses().that().resideInAPackage("rottsync.backup..")
                .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS)
                .orShould().dependOnClassesThat().resideInAnyPackage(
                        "rottsync.sync..", "rottsync.server..", "rottsync.ops..", "rottsync.cli..")
                .check(CLASSES);
    }

    @Test
    void operationsReadTheServerNeverTheOtherWayRound() {
        noClasses().that().resideInAPackage("rottsync.server..")
                .should().dependOnClassesThat().resideInAPackage("rottsync.ops..")
                .check(CLASSES);
    }

    @Test
    void noCoreCodeReachesIntoTheServer() {
        noClasses().that().resideOutsideOfPackages("rottsync.server..", "rottsync.ops..")
                .should().dependOnClassesThat().resideInAnyPackage("rottsync.server..", "rottsync.ops..")
                .check(CLASSES);
    }
}
