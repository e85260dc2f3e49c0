package io.dynalog.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wire.ItemCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

/** A store written before items had versions is emptied on open, so its partitions are rebuilt from the WAL. */
class ReplicaStoreUpgradeTest {
    @TempDir
    Path dir;

    @Test
    void aStoreWithoutVersionsIsEmptiedSoItsPartitionsAreRebuilt() throws Exception {
        byte[] itemKey = StoreKeys.item(7, "k".getBytes(StandardCharsets.UTF_8));
        try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
             ColumnFamilyOptions cf = new ColumnFamilyOptions()) {
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            try (RocksDB old = RocksDB.open(options, dir.toString(), List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cf),
                    new ColumnFamilyDescriptor("items".getBytes(StandardCharsets.UTF_8), cf),
                    new ColumnFamilyDescriptor("progress".getBytes(StandardCharsets.UTF_8), cf)), handles)) {
                old.put(handles.get(1), itemKey, ItemCodec.encode(Map.of("pk", AttributeValue.s("k"))));
                old.put(handles.get(2), StoreKeys.progress(7, 0), new PartitionProgress(5, io.dynalog.topology.wal.Ballot.ZERO, 4, 1).encode());
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
        try (ReplicaStore store = ReplicaStore.open(dir)) {
            assertThat(store.get(7, "k".getBytes(StandardCharsets.UTF_8))).isNull();
            assertThat(store.progress(7, 0)).isEqualTo(PartitionProgress.EMPTY);
        }
        // Opened again (now with versions), nothing more is dropped.
        try (ReplicaStore store = ReplicaStore.open(dir)) {
            store.apply(List.of(new ReplicaStore.ItemChange(7, "k".getBytes(StandardCharsets.UTF_8),
                    ItemCodec.encode(Map.of("pk", AttributeValue.s("k"))), 3, 99)), List.of(), Map.of());
        }
        try (ReplicaStore store = ReplicaStore.open(dir)) {
            assertThat(store.get(7, "k".getBytes(StandardCharsets.UTF_8))).isNotNull();
            assertThat(store.version(7, "k".getBytes(StandardCharsets.UTF_8))).isEqualTo(new ReplicaStore.ItemVersion(3, 99));
        }
    }
}
