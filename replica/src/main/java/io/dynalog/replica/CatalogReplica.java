package io.dynalog.replica;

import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.wire.TableRecordCodec;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;

/** This node's copy of the catalog: every table descriptor, by name, read from the meta topic. */
public final class CatalogReplica extends CompactedTopicView<TableDescriptor> {

    public CatalogReplica(Consumer<byte[], byte[]> consumer, String metaTopic) {
        super(consumer, metaTopic, TableRecordCodec::decode, "catalog-replica");
    }

    public TableDescriptor table(String name) {
        return get(name);
    }

    /** Every table, ordered by name. */
    public List<TableDescriptor> tables() {
        return values();
    }
}
