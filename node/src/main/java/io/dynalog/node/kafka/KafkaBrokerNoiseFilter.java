package io.dynalog.node.kafka;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * A logback filter that drops the warnings an embedded single-node Kafka broker logs on every
 * ordinary start and stop, so that the node's log shows the broker only when something is wrong.
 *
 * <p>Responsibility: recognise those few messages by logger and text, nothing else. Installed by
 * {@code logback.xml} ({@code <turboFilter class="io.dynalog.node.kafka.KafkaBrokerNoiseFilter"/>}).
 * Every other message, including other warnings of the same loggers, passes.
 */
public final class KafkaBrokerNoiseFilter extends TurboFilter {

    /** A message to drop: its logger and a fragment of its text. */
    private record Noise(String loggerName, String messageFragment) {
    }

    private static final List<Noise> NOISE = List.of(
        // Logged at WARN by a new controller every time it takes over, including every restart
        // of a healthy one-node quorum.
        new Noise("org.apache.kafka.controller.QuorumController", "Performing controller activation"),
        // The broker's controller channel closes its client twice during an orderly shutdown.
        new Noise("org.apache.kafka.clients.NetworkClient", "Attempting to close NetworkClient that has already been closed"));

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (format == null || level == null || level.isGreaterOrEqual(Level.ERROR)) {
            return FilterReply.NEUTRAL;
        }
        String loggerName = logger.getName();
        for (Noise noise : NOISE) {
            if (noise.loggerName().equals(loggerName) && format.contains(noise.messageFragment())) {
                return FilterReply.DENY;
            }
        }
        return FilterReply.NEUTRAL;
    }
}
