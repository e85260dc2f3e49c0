package io.dynalog.control;

import io.dynalog.ingest.replication.GroupId;
import io.dynalog.ingest.replication.LeaderBalance;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.wal.Configuration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The preferred leader of every replica group the catalog knows ({@link LeaderBalance#preferredLeaders}),
 * spread over the nodes; recomputed only when the groups' configurations or the draining nodes
 * change, so that asking every few seconds costs a pass over the catalog.
 *
 * <p>Threading: called by one thread at a time (the node's upkeep thread).
 */
public final class LeaderPlacement {
    private final Supplier<Collection<TableDescriptor>> tables;
    private Map<GroupId, Configuration> groupsSeen = Map.of();
    private Set<Integer> drainingSeen = Set.of();
    private Map<GroupId, Integer> preferred = Map.of();

    /** @param tables the catalog's tables and the catalog itself */
    public LeaderPlacement(Supplier<Collection<TableDescriptor>> tables) {
        this.tables = tables;
    }

    /** The preferred leaders, by group, with {@code draining} nodes preferred by none. */
    public Map<GroupId, Integer> preferredLeaders(Set<Integer> draining) {
        Map<GroupId, Configuration> groups = new HashMap<>();
        for (TableDescriptor t : tables.get()) {
            for (int p = 0; p < t.partitionCount(); p++) groups.put(new GroupId(t.tableId(), p), t.configurationOf(p));
        }
        if (!groups.equals(groupsSeen) || !draining.equals(drainingSeen)) {
            preferred = Map.copyOf(LeaderBalance.preferredLeaders(groups, draining));
            groupsSeen = groups;
            drainingSeen = Set.copyOf(draining);
        }
        return preferred;
    }
}
