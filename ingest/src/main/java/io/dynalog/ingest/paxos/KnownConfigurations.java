package io.dynalog.ingest.paxos;

import io.dynalog.topology.wal.Configuration;
import java.util.TreeMap;

/**
 * The chosen configurations one member knows of, by the first slot each governs. The entry at or
 * below the slot after the member's archived one is the configuration its acceptor archived with
 * that slot; later entries come from the configuration values it delivered. So the configuration
 * of every slot from the one after the archived slot to the one after the last delivered slot is
 * known, and the latest is the one the member acts on as a follower. Not thread-safe (its member's).
 */
final class KnownConfigurations {
    private final TreeMap<Long, Configuration> byFirstSlot = new TreeMap<>();

    /** Starts from the acceptor's archived slot and the configuration in force after it. */
    void reset(long archivedSlot, Configuration archived) {
        byFirstSlot.clear();
        byFirstSlot.put(archivedSlot + 1, archived);
    }

    Configuration latest() {
        return byFirstSlot.lastEntry().getValue();
    }

    /** The configuration governing {@code slot} (after the archived slot, at most one past the delivered ones). */
    Configuration at(long slot) {
        return byFirstSlot.floorEntry(slot).getValue();
    }

    /** {@code next}, named by the value delivered at {@code slot}, governs the slots after it. */
    void delivered(long slot, Configuration next) {
        byFirstSlot.put(slot + 1, next);
    }

    /**
     * Every slot through {@code slot} is archived, with {@code configuration} in force after it
     * (configurations known for later slots stay); true when that made a later one the latest.
     */
    boolean archived(long slot, Configuration configuration) {
        Configuration before = latest();
        byFirstSlot.headMap(slot + 1, true).clear();
        byFirstSlot.putIfAbsent(slot + 1, configuration);
        return latest().version() > before.version();
    }
}
