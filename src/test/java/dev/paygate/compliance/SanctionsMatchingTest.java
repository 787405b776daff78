package dev.paygate.compliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.core.io.DefaultResourceLoader;

/** Name variants that must hit the sample list, names that must not, and reloading a list that changes. */
class SanctionsMatchingTest {

    private final SanctionsScreening sample = screening("classpath:sanctions/sdn-sample.csv",
            "classpath:sanctions/alt-sample.csv");

    @ParameterizedTest(name = "{0} matches entry {1}")
    @CsvSource(delimiter = '|', textBlock = """
            DRAKOVIC, Milan                  | 9001
            Milan Drakovic                   | 9001
            milan DRAKOVIC                   | 9001
            Milan Draković                   | 9001
            Milan Drakovič                   | 9001
            Milan Drakovik                   | 9001
            Milan Drakovich                  | 9001
            Mlian Drakovic                   | 9001
            José Martínez Rivera             | 9003
            Martinez-Rivera Jose             | 9003
            Zhelezny Trading Company L.L.C.  | 9002
            Zhelezny Trading Compny LLC      | 9002
            Zhelezny Torgovy Dom             | 9002
            Rashid Qasimi                    | 9005
            Rashid Omar Al Qasimi            | 9005
            Oksana Kovalenko Brandt          | 9006
            OKSANA KOVALENKO-BRANDT          | 9006
            Blue Lantern FX                  | 9007
            """)
    void aVariantOfAListedNameIsAHit(String name, String entryId) {
        Optional<SanctionsScreening.Hit> hit = sample.screen(name);

        assertThat(hit).as(name).isPresent();
        assertThat(hit.get().party().entryId()).isEqualTo(entryId);
        assertThat(hit.get().score()).isBetween(0.92, 1.0);
    }

    @ParameterizedTest(name = "{0} is not a hit")
    @CsvSource(delimiter = '|', textBlock = """
            Jane Doe
            Milan Novak
            Marko Drakulic
            Jose Martinez
            Maria Rivera Lopez
            Zhelezny
            Northwind Traders
            Blue Ocean Exchange
            Rashid Khan
            Oksana Kovalenko
            Haik Vardanyan
            Acme Payments Ltd
            """)
    void aDifferentNameIsNotAHit(String name) {
        assertThat(sample.screen(name)).as(name).isEmpty();
    }

    @Test
    void aHitNamesTheListedEntryForTheReviewer() {
        var review = sample.reviewFor("Milan Drakovich").block();

        assertThat(review).containsEntry("rule_id", "sanctions");
        assertThat(review.get("details")).asString()
                .contains("entry_id=9001", "listed_name=DRAKOVIC, Milan", "matched_name=DRAKOVICH, Milan",
                        "program=SAMPLE-SDGT", "screened_name=Milan Drakovich");
        assertThat(sample.reviewFor("Jane Doe").block()).isEmpty();
        assertThat(sample.reviewFor(null).block()).isEmpty();
    }

    @Test
    void aChangedListFileIsReloadedAndABrokenOneLeavesThePreviousInForce(@TempDir Path directory) throws IOException {
        Path list = directory.resolve("sdn.csv");
        Files.writeString(list, "1,\"PETROV, Ivan\",\"individual\",\"TEST\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n");
        SanctionsScreening screening = load("file:" + list, null);
        assertThat(screening.screen("Ivan Petrov")).isPresent();
        assertThat(screening.screen("Anna Sidorova")).isEmpty();

        Files.writeString(list, "1,\"PETROV, Ivan\",\"individual\",\"TEST\",-0- \n2,\"SIDOROVA, Anna\",-0- ,\"TEST\"\n\u001a\n");
        touch(list, 1);
        screening.reloadIfChanged();
        assertThat(screening.screen("Anna Sidorova")).isPresent();
        assertThat(screening.status().parties()).isEqualTo(2);

        Files.writeString(list, "3,\"HALF WRITTEN\n");
        touch(list, 2);
        screening.reloadIfChanged();
        assertThat(screening.status().parties()).as("the broken file is not used").isEqualTo(2);
        assertThat(screening.screen("Anna Sidorova")).isPresent();
        assertThatThrownBy(screening::reload).isInstanceOf(IOException.class).hasMessageContaining("line 1");
        assertThat(screening.screen("Ivan Petrov")).isPresent();
    }

    @Test
    void anEmptyOrUnreadableListStopsTheGatewayFromStarting(@TempDir Path directory) throws IOException {
        Path empty = Files.writeString(directory.resolve("empty.csv"), "\n");

        assertThatThrownBy(() -> load("file:" + empty, null)).isInstanceOf(IOException.class)
                .hasMessageContaining("lists no one");
        assertThatThrownBy(() -> load("file:" + directory.resolve("missing.csv"), null))
                .isInstanceOf(IOException.class);
    }

    private static void touch(Path file, int secondsLater) throws IOException {
        // File systems keep modification times at coarse resolution; move it on explicitly.
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(secondsLater)));
    }

    private static SanctionsScreening screening(String list, String alternateNames) {
        try {
            return load(list, alternateNames);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static SanctionsScreening load(String list, String alternateNames) throws IOException {
        return new SanctionsScreening(new SanctionsProperties(true, list, alternateNames, 0.92, Duration.ofSeconds(30)),
                new DefaultResourceLoader());
    }
}
