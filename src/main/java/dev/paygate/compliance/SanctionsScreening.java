package dev.paygate.compliance;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Screens counterparty names of external transfers against the sanctions list. A hit asks the
 * ledger to put the transfer ON_HOLD for review, with the matched entry in its alert. The list is
 * reloaded when its file changes, or on request, without a restart; a list that fails to load
 * leaves the previous one in force.
 */
@Service
public class SanctionsScreening {

    /** The rule id of alerts raised by a sanctions hit. */
    public static final String RULE_ID = "sanctions";

    private static final Logger log = LoggerFactory.getLogger(SanctionsScreening.class);

    private final SanctionsProperties properties;
    private final ResourceLoader resources;
    private final AtomicReference<Loaded> current = new AtomicReference<>();

    SanctionsScreening(SanctionsProperties properties, ResourceLoader resources) throws IOException {
        this.properties = properties;
        this.resources = resources;
        if (properties.enabled()) {
            // Starting without the list would let every payout through unscreened: refuse to start.
            current.set(load());
            log.info("Sanctions screening: {} parties ({} names) from {}, threshold {}", current.get().list().parties().size(),
                    current.get().list().names(), current.get().list().source(), properties.threshold());
        } else {
            log.warn("Sanctions screening is off (paygate.compliance.sanctions.enabled=false)");
        }
    }

    /** The review a transfer to or from this counterparty needs: empty when the name is not a hit. */
    public Mono<Map<String, Object>> reviewFor(@Nullable String counterpartyName) {
        if (counterpartyName == null || current.get() == null) {
            return Mono.just(Map.of());
        }
        // A full list is tens of thousands of comparisons: keep them off the event loop.
        return Mono.fromCallable(() -> screen(counterpartyName).map(SanctionsScreening::review).orElse(Map.of()))
                .subscribeOn(Schedulers.parallel());
    }

    /** The best match of this name at or over the threshold, if any. */
    Optional<Hit> screen(String name) {
        Loaded loaded = current.get();
        if (loaded == null) {
            return Optional.empty();
        }
        SanctionsNames.Normalised screened = SanctionsNames.normalise(name);
        double threshold = properties.threshold();
        Hit best = null;
        for (SanctionsList.Party party : loaded.list().parties()) {
            for (SanctionsList.ListedName listed : party.names()) {
                double score = SanctionsNames.similarity(screened, listed.normalised());
                if (score >= threshold && (best == null || score > best.score())) {
                    best = new Hit(party, listed.name(), score, name, loaded.list().source());
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** Loads the list again now; the previous list stays in force if this one cannot be read. */
    Status reload() throws IOException {
        requireEnabled();
        Loaded loaded = load();
        current.set(loaded);
        log.info("Sanctions list reloaded: {} parties ({} names) from {}", loaded.list().parties().size(),
                loaded.list().names(), loaded.list().source());
        return status();
    }

    Status status() {
        Loaded loaded = current.get();
        if (loaded == null) {
            return new Status(false, null, 0, 0, null, properties.threshold());
        }
        return new Status(true, loaded.list().source(), loaded.list().parties().size(), loaded.list().names(),
                loaded.list().loadedAt(), properties.threshold());
    }

    boolean enabled() {
        return current.get() != null;
    }

    @Scheduled(fixedDelayString = "${paygate.compliance.sanctions.reload-interval:30s}",
            initialDelayString = "${paygate.compliance.sanctions.reload-interval:30s}")
    void reloadIfChanged() {
        Loaded loaded = current.get();
        if (loaded == null || loaded.modifiedAt().equals(modifiedAt())) {
            return;
        }
        try {
            reload();
        } catch (IOException | RuntimeException e) {
            // Keep screening against the list we have; a half-written file must not open the gate.
            log.error("Sanctions list changed but could not be loaded; the previous list stays in force: {}", e.getMessage());
            current.set(new Loaded(loaded.list(), modifiedAt()));
        }
    }

    private void requireEnabled() throws IOException {
        if (current.get() == null) {
            throw new IOException("sanctions screening is off (paygate.compliance.sanctions.enabled=false)");
        }
    }

    private Loaded load() throws IOException {
        String modifiedAt = modifiedAt();
        return new Loaded(SanctionsList.load(resource(properties.list()), alternateNames()), modifiedAt);
    }

    private @Nullable Resource alternateNames() {
        return properties.alternateNames() == null ? null : resource(properties.alternateNames());
    }

    private Resource resource(String location) {
        return resources.getResource(location);
    }

    /** The files' modification times; a classpath list inside a jar never changes. */
    private String modifiedAt() {
        StringBuilder stamp = new StringBuilder();
        for (String location : new String[] {properties.list(), properties.alternateNames()}) {
            if (location == null) {
                continue;
            }
            try {
                stamp.append(resource(location).lastModified()).append(' ');
            } catch (IOException e) {
                stamp.append("unreadable ");
            }
        }
        return stamp.toString();
    }

    private static Map<String, Object> review(Hit hit) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("screened_name", hit.screenedName());
        details.put("entry_id", hit.party().entryId());
        details.put("listed_name", hit.party().name());
        details.put("matched_name", hit.matchedName());
        details.put("score", BigDecimal.valueOf(hit.score()).setScale(3, RoundingMode.HALF_DOWN));
        if (hit.party().program() != null) {
            details.put("program", hit.party().program());
        }
        if (hit.party().type() != null) {
            details.put("type", hit.party().type());
        }
        details.put("list", hit.source());
        return Map.of("rule_id", RULE_ID, "details", details);
    }

    private record Loaded(SanctionsList list, String modifiedAt) {
    }

    /** A name that matched a listed party. */
    record Hit(SanctionsList.Party party, String matchedName, double score, String screenedName, String source) {
    }

    /** What the screening runs on, as operators see it. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Status(boolean enabled, @Nullable String source, int parties, int names, @Nullable Instant loadedAt,
                  double threshold) {
    }
}
