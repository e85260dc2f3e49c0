package io.dynalog.api.ops;

import io.dynalog.ingest.CatalogConflictException;
import io.dynalog.topology.model.IndexDescriptor;
import io.dynalog.topology.model.InvalidInputException;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableDescriptor.AttributeDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * UpdateTable's index changes as the catalog's leader applies them to the table's record, against
 * the record as the catalog has it then (the request was checked against a node's copy, which may
 * be behind). Adding an index that the record already has under the same incarnation is no change,
 * so a retried UpdateTable takes effect once.
 */
final class IndexUpdates {
    private IndexUpdates() {}

    /**
     * The table after the updates; {@code created}: the indexes the first node decided for the
     * Create updates (by name).
     *
     * @throws InvalidInputException when an index to add exists (another incarnation) or the limit is reached
     * @throws CatalogConflictException NOT_FOUND when an index to delete does not exist
     */
    static TableDescriptor apply(TableDescriptor current, List<IndexDefinitions.Update> updates, List<IndexDescriptor> created) {
        List<IndexDescriptor> indexes = new ArrayList<>(current.indexes());
        Map<String, AttributeDefinition> definitions = new LinkedHashMap<>();
        current.attributeDefinitions().forEach(d -> definitions.put(d.name(), d));
        for (IndexDefinitions.Update update : updates) {
            if (update instanceof IndexDefinitions.Create create) {
                IndexDescriptor decided = created.stream().filter(i -> i.name().equals(create.spec().name())).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no index decided for " + create.spec().name()));
                IndexDescriptor existing = current.index(decided.name());
                if (existing != null && existing.indexId() == decided.indexId()) continue;
                if (existing != null) {
                    throw new InvalidInputException("One or more parameter values were invalid: Table already has an index named "
                            + decided.name());
                }
                if (current.globalIndexes().size() >= TableDescriptor.MAX_GLOBAL_INDEXES) {
                    throw new InvalidInputException("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of "
                            + TableDescriptor.MAX_GLOBAL_INDEXES);
                }
                for (AttributeDefinition d : create.newDefinitions()) {
                    AttributeDefinition had = definitions.putIfAbsent(d.name(), d);
                    if (had != null && had.type() != d.type()) {
                        throw new InvalidInputException("One or more parameter values were invalid: Attribute " + d.name()
                                + " is already defined with type " + had.type() + ", not " + d.type());
                    }
                }
                indexes.add(decided);
            } else if (update instanceof IndexDefinitions.Throughput throughput) {
                IndexDescriptor existing = current.index(throughput.indexName());
                if (existing == null || !existing.isGlobal()) {
                    throw new CatalogConflictException(CatalogConflictException.Kind.NOT_FOUND, current.name(),
                            "Requested resource not found: Index " + throughput.indexName() + " for table " + current.name());
                }
                indexes.set(indexes.indexOf(existing), existing.withThroughput(throughput.readCapacityUnits(), throughput.writeCapacityUnits()));
            } else if (update instanceof IndexDefinitions.Delete delete) {
                IndexDescriptor existing = current.index(delete.indexName());
                if (existing == null || !existing.isGlobal()) {
                    throw new CatalogConflictException(CatalogConflictException.Kind.NOT_FOUND, current.name(),
                            "Requested resource not found: Index " + delete.indexName() + " for table " + current.name());
                }
                indexes.remove(existing);
            }
        }
        return current.withIndexes(indexes).withAttributeDefinitions(new ArrayList<>(definitions.values()));
    }

    /** Whether a catalog copy shows the updates (to read one's own UpdateTable). */
    static boolean shows(TableDescriptor table, List<IndexDefinitions.Update> updates, List<IndexDescriptor> created) {
        for (IndexDefinitions.Update update : updates) {
            if (update instanceof IndexDefinitions.Delete delete && table.index(delete.indexName()) != null) return false;
        }
        for (IndexDescriptor index : created) {
            IndexDescriptor shown = table.index(index.name());
            if (shown == null || shown.indexId() != index.indexId()) return false;
        }
        return true;
    }
}
