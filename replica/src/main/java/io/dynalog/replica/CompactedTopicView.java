package io.dynalog.replica;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's copy of a compacted, single-partition topic of records keyed by a string: the
 * latest value per key (a tombstone removes it), and when that key was last written. Listeners
 * are told of each change, in topic order, on the reader's thread; a record that repeats a key's
 * value (a node announcing itself again) changes nothing but the time.
 *
 * @param <V> the decoded value
 */
public class CompactedTopicView<V> extends TopicReader {
    private static final Logger log = LoggerFactory.getLogger(CompactedTopicView.class);

    /** Told of each change: {@code previous} null on create, {@code current} null on delete. */
    @FunctionalInterface
    public interface Listener<V> {
        void onChange(V previous, V current);
    }

    private final Function<byte[], V> decoder;
    private final ConcurrentSkipListMap<String, V> values = new ConcurrentSkipListMap<>();
    private final ConcurrentHashMap<String, Long> timestampsMs = new ConcurrentHashMap<>();
    private final List<Listener<V>> listeners = new CopyOnWriteArrayList<>();

    public CompactedTopicView(Consumer<byte[], byte[]> consumer, String topic, Function<byte[], V> decoder, String threadName) {
        super(consumer, topic, threadName);
        this.decoder = decoder;
    }

    public void addListener(Listener<V> listener) {
        listeners.add(listener);
    }

    /** The latest value of a key, or null. */
    public V get(String key) {
        return values.get(key);
    }

    /**
     * The timestamp of a key's latest record (its producer's wall clock, ms since the epoch), or
     * {@link Long#MIN_VALUE} when the key has no value.
     */
    public long timestampMs(String key) {
        return timestampsMs.getOrDefault(key, Long.MIN_VALUE);
    }

    /** Every value, ordered by key. */
    public List<V> values() {
        return new ArrayList<>(values.values());
    }

    @Override
    protected void apply(ConsumerRecord<byte[], byte[]> r) {
        String name = new String(r.key(), StandardCharsets.UTF_8);
        V current = r.value() == null ? null : decoder.apply(r.value());
        V previous = current == null ? values.remove(name) : values.put(name, current);
        if (current == null) {
            timestampsMs.remove(name);
        } else {
            timestampsMs.put(name, r.timestamp());
        }
        if (previous == null && current == null) return;
        if (previous != null && previous.equals(current)) return;
        for (Listener<V> l : listeners) {
            try {
                l.onChange(previous, current);
            } catch (RuntimeException e) {
                log.error("listener of {} failed on key {}", topic(), name, e);
            }
        }
    }
}
