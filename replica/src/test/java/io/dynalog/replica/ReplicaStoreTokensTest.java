package io.dynalog.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import io.dynalog.topology.wire.ItemCodec;
import io.dynalog.topology.wire.WalEntryCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replica's record of request tokens: written with the item, kept across a reopen, dropped by age and with the table. */
class ReplicaStoreTokensTest {
    @TempDir
    Path dir;

    static WalEntry put(long tableId, long slot, String token, long timestampMs) {
        return new WalEntry(tableId, 0, slot, new Ballot(1, 1), WalEntry.Kind.PUT, "k".getBytes(StandardCharsets.UTF_8),
                Map.of("pk", AttributeValue.s("k"), "n", AttributeValue.n(slot)), null, timestampMs, token);
    }

    static void apply(ReplicaStore store, WalEntry e) {
        store.apply(List.of(new ReplicaStore.ItemChange(e.tableId(), e.storeKey(), ItemCodec.encode(e.newImage()), e.slot(), e.slot())),
                List.of(), List.of(new ReplicaStore.TokenRecord(e, WalEntryCodec.encode(e))), Map.of());
    }

    @Test
    void aTokenIsRecordedWithItsWriteKeptAcrossAReopenAndDroppedWhenOld() {
        try (ReplicaStore store = ReplicaStore.open(dir)) {
            apply(store, put(7, 1, "old", 1_000));
            apply(store, put(7, 2, "new", 5_000));
            apply(store, put(8, 1, "other-table", 1_000));
            assertThat(store.requestTokenEntry(7, "old").slot()).isEqualTo(1);
            assertThat(store.requestTokenEntry(7, "other-table")).as("tokens are per table").isNull();
        }
        try (ReplicaStore store = ReplicaStore.open(dir)) {
            WalEntry recorded = store.requestTokenEntry(7, "new");
            assertThat(recorded.newImage()).isEqualTo(put(7, 2, "new", 5_000).newImage());
            assertThat(recorded.timestampMs()).isEqualTo(5_000);
            assertThat(store.dropRequestTokensBefore(2_000)).isEqualTo(2);
            assertThat(store.requestTokenEntry(7, "old")).isNull();
            assertThat(store.requestTokenEntry(7, "new")).isNotNull();
            store.dropTable(7);
            assertThat(store.requestTokenEntry(7, "new")).isNull();
        }
    }
}
