package io.dynalog.topology.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.topology.ValueArbitraries;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ItemSizeTest {

    @Test
    void scalarsCountTheirBytes() {
        assertThat(ItemSize.ofValue(AttributeValue.s("abc"))).isEqualTo(3);
        assertThat(ItemSize.ofValue(AttributeValue.s("é😀"))).isEqualTo(2 + 4);
        assertThat(ItemSize.ofValue(AttributeValue.s(""))).isZero();
        assertThat(ItemSize.ofValue(AttributeValue.b(new byte[7]))).isEqualTo(7);
        assertThat(ItemSize.ofValue(AttributeValue.Bool.TRUE)).isEqualTo(1);
        assertThat(ItemSize.ofValue(AttributeValue.Null.INSTANCE)).isEqualTo(1);
    }

    @Test
    void numbersCountHalfTheirSignificantDigitsPlusOne() {
        assertThat(ItemSize.ofValue(AttributeValue.n("12345"))).isEqualTo((5 + 1) / 2 + 1);
        assertThat(ItemSize.ofValue(AttributeValue.n("1234"))).isEqualTo((4 + 1) / 2 + 1);
        // Leading and trailing zeros are not significant.
        assertThat(ItemSize.ofValue(AttributeValue.n("1000000"))).isEqualTo(ItemSize.ofValue(AttributeValue.n(1)));
        assertThat(ItemSize.ofValue(AttributeValue.n("0.00012"))).isEqualTo((2 + 1) / 2 + 1);
        assertThat(ItemSize.ofNumber(new BigDecimal("12345678901234567890123456789012345678"))).isEqualTo(20);
    }

    @Test
    void documentsAddThreeBytesAndOnePerElement() {
        assertThat(ItemSize.ofValue(new AttributeValue.L(List.of(AttributeValue.s("xy"))))).isEqualTo(3 + 1 + 2);
        assertThat(ItemSize.ofValue(new AttributeValue.L(List.of()))).isEqualTo(3);
        assertThat(ItemSize.ofValue(new AttributeValue.M(Map.of("key", AttributeValue.s("xy"))))).isEqualTo(3 + 1 + 3 + 2);
        AttributeValue nested = new AttributeValue.M(Map.of("a", new AttributeValue.L(List.of(AttributeValue.n(1), AttributeValue.Null.INSTANCE))));
        // outer M: 3 + (1 + "a" + inner L (3 + (1 + 2) + (1 + 1)))
        assertThat(ItemSize.ofValue(nested)).isEqualTo(3 + 1 + 1 + (3 + 3 + 2));
    }

    @Test
    void setsAreTheSumOfTheirMembers() {
        assertThat(ItemSize.ofValue(new AttributeValue.SS(Set.of("ab", "cde")))).isEqualTo(5);
        assertThat(ItemSize.ofValue(new AttributeValue.NS(Set.of(new BigDecimal("1"), new BigDecimal("123"))))).isEqualTo(2 + 3);
        assertThat(ItemSize.ofValue(new AttributeValue.BS(Set.of(AttributeValue.b(new byte[2]), AttributeValue.b(new byte[3]))))).isEqualTo(5);
    }

    @Test
    void anItemIsItsNamesPlusItsValues() {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("id", AttributeValue.s("abc"));                                  // 2 + 3
        item.put("n", AttributeValue.n("12345"));                                 // 1 + 4
        item.put("flag", AttributeValue.Bool.TRUE);                               // 4 + 1
        item.put("l", new AttributeValue.L(List.of(AttributeValue.s("xy"))));     // 1 + 6
        assertThat(ItemSize.of(item)).isEqualTo(22);
        assertThat(ItemSize.of(Map.of())).isZero();
    }

    @Property
    void utf8LengthEqualsTheEncodedLength(@ForAll String anyChars) {
        // jqwik's default strings include unpaired surrogates, which the encoder replaces with '?'.
        assertThat(ItemSize.utf8Length(anyChars)).isEqualTo(anyChars.getBytes(StandardCharsets.UTF_8).length);
    }

    @Property
    void utf8LengthOfUnicodeAndSurrogateEdgeCases(@ForAll("unicodeAndSurrogates") String s) {
        assertThat(ItemSize.utf8Length(s)).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> unicodeAndSurrogates() {
        return Arbitraries.oneOf(ValueArbitraries.strings(), Arbitraries.of("\uD800", "a\uDC00b", "\uDBFF\uDFFF", "\uDC00\uD800"));
    }
}
