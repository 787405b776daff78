package dev.paygate.support;

import io.micrometer.tracing.exporter.FinishedSpan;
import io.micrometer.tracing.exporter.SpanReporter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every span an instance finishes, for a test to look at. Not a component: an instance gets it
 * only when a test names it in {@code spring.main.sources} (see {@link #SETTINGS}), together with
 * full sampling, so the suite's shared instance never records.
 */
public class RecordedSpans implements SpanReporter {

    /** The settings that give a {@link SecondInstance} this recorder and export every span within 100 ms. */
    public static final String[] SETTINGS = {
            "--spring.main.sources=" + RecordedSpans.class.getName(),
            "--management.tracing.sampling.probability=1.0",
            "--management.opentelemetry.tracing.export.schedule-delay=100ms",
    };
    private static final int SPANS_MAX = 100_000;

    private final List<FinishedSpan> spans = new CopyOnWriteArrayList<>();

    @Override
    public void report(FinishedSpan span) {
        if (spans.size() < SPANS_MAX) {
            spans.add(span);
        }
    }

    public List<FinishedSpan> spans() {
        return List.copyOf(spans);
    }
}
