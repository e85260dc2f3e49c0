package io.dynalog.topology.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.topology.ValueArbitraries;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.WalEntry;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.generic.GenericRecord;

/** Random nested items through the codecs and through Avro's own generic encoder and decoder. */
class WireRoundTripPropertiesTest {

    @Property(tries = 1000)
    void itemsRoundTrip(@ForAll("items") Map<String, AttributeValue> item) {
        assertThat(ItemCodec.decode(ItemCodec.encode(item))).isEqualTo(item);
    }

    @Property(tries = 500)
    void itemBytesAreAvrosBytes(@ForAll("items") Map<String, AttributeValue> item) {
        byte[] ours = ItemCodec.encode(item);
        GenericRecord decodedByAvro = AvroReference.decode(AvroReference.STORED_ITEM, ours);
        assertThat(AvroReference.modelItem(decodedByAvro.get("attributes"))).isEqualTo(item);
        byte[] avros = AvroReference.encode(AvroReference.STORED_ITEM, AvroReference.storedItem(item));
        assertThat(ItemCodec.decode(avros)).isEqualTo(item);
    }

    @Property(tries = 500)
    void walEntriesRoundTrip(@ForAll("walEntries") WalEntry entry) {
        byte[] ours = WalEntryCodec.encode(entry);
        WalEntryCodecTest.assertSameEntry(WalEntryCodec.decode(ours), entry);
        byte[] avros = AvroReference.encode(AvroReference.WAL_ENTRY_V1, WalEntryCodecTest.generic(entry));
        assertThat(ours).isEqualTo(avros);
    }

    @Provide
    Arbitrary<Map<String, AttributeValue>> items() {
        return ValueArbitraries.items(ValueArbitraries.values(4));
    }

    @Provide
    Arbitrary<WalEntry> walEntries() {
        Arbitrary<Map<String, AttributeValue>> images = ValueArbitraries.items(ValueArbitraries.values(2));
        Arbitrary<Ballot> ballots = Combinators.combine(Arbitraries.longs().greaterOrEqual(0), Arbitraries.integers().greaterOrEqual(0))
                .as(Ballot::new);
        Arbitrary<Long> tableIds = Arbitraries.longs();
        Arbitrary<Integer> partitions = Arbitraries.integers().between(0, 4096);
        Arbitrary<Long> slots = Arbitraries.longs().greaterOrEqual(1);
        Arbitrary<byte[]> keys = ValueArbitraries.bytes().filter(b -> b.length > 0);
        Arbitrary<WalEntry> puts = Combinators.combine(tableIds, partitions, slots, ballots, keys, images, images.injectNull(0.3), Arbitraries.longs())
                .as((t, p, s, b, k, n, o, ts) -> new WalEntry(t, p, s, b, WalEntry.Kind.PUT, k, n, o, ts));
        Arbitrary<WalEntry> deletes = Combinators.combine(tableIds, partitions, slots, ballots, keys, images.injectNull(0.3), Arbitraries.longs())
                .as((t, p, s, b, k, o, ts) -> new WalEntry(t, p, s, b, WalEntry.Kind.DELETE, k, null, o, ts));
        Arbitrary<WalEntry> noops = Combinators.combine(tableIds, partitions, slots, ballots, Arbitraries.longs())
                .as(WalEntry::noop);
        return Arbitraries.oneOf(puts, deletes, noops);
    }
}
