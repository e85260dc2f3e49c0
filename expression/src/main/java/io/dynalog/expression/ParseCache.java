package io.dynalog.expression;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A bounded, thread-safe cache of parse results keyed by expression text, evicting the least
 * recently used entry. Values must be immutable: every thread that asks for a text gets the same one.
 *
 * <p>Two threads that miss on the same text both parse it and the last put wins; parsing is pure,
 * so that costs time, never correctness, and keeps parsing outside the lock.
 */
final class ParseCache<T> {

    private final int capacity;
    private final LinkedHashMap<String, T> entries;

    ParseCache(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity);
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, T> eldest) {
                return size() > ParseCache.this.capacity;
            }
        };
    }

    /** The cached value for {@code text}, or null. */
    synchronized T get(String text) {
        return entries.get(text);
    }

    synchronized void put(String text, T value) {
        entries.put(Objects.requireNonNull(text, "text"), Objects.requireNonNull(value, "value"));
    }

    synchronized int size() {
        return entries.size();
    }
}
