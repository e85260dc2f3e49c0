package io.dynalog.topology.model;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ItemValidatorTest {
    private static final KeySchema HASH = KeySchema.hash("id", ScalarType.S);
    private static final KeySchema HASH_RANGE = KeySchema.hashRange("id", ScalarType.S, "at", ScalarType.N);
    private static final KeySchema BINARY_KEYS = KeySchema.hashRange("h", ScalarType.B, "r", ScalarType.B);

    // ---- values ----------------------------------------------------------------------------

    @Test
    void acceptsEveryKindOfValidValue() {
        List<AttributeValue> values = List.of(
                AttributeValue.s(""), AttributeValue.b(new byte[0]), AttributeValue.n("-1E-130"),
                AttributeValue.n("9.9999999999999999999999999999999999999E+125"), AttributeValue.Bool.FALSE,
                AttributeValue.Null.INSTANCE, new AttributeValue.SS(Set.of("")), new AttributeValue.BS(Set.of(AttributeValue.b(new byte[0]))),
                new AttributeValue.NS(Set.of(BigDecimal.ONE)), new AttributeValue.M(Map.of()), new AttributeValue.L(List.of()));
        for (AttributeValue v : values) assertThatCode(() -> ItemValidator.validateValue(v)).doesNotThrowAnyException();
    }

    @Test
    void rejectsNumbersBeyondDynamoDbsLimits() {
        assertInvalid(() -> ItemValidator.validateValue(AttributeValue.n("1" + "0".repeat(37) + "1")),
                "Attempting to store more than 38 significant digits in a Number");
        assertInvalid(() -> ItemValidator.validateValue(AttributeValue.n("1E+126")),
                "Number overflow. Attempting to store a number with magnitude larger than supported range");
        assertInvalid(() -> ItemValidator.validateValue(AttributeValue.n("-1E-131")),
                "Number underflow. Attempting to store a number with magnitude smaller than supported range");
        assertInvalid(() -> ItemValidator.validateValue(new AttributeValue.NS(Set.of(BigDecimal.ONE, new BigDecimal("1E+126")))),
                "Number overflow. Attempting to store a number with magnitude larger than supported range");
        assertInvalid(() -> ItemValidator.validateValue(new AttributeValue.L(List.of(AttributeValue.n("1E+126")))),
                "Number overflow. Attempting to store a number with magnitude larger than supported range");
    }

    @Test
    void rejectsEmptySets() {
        assertInvalid(() -> ItemValidator.validateValue(new AttributeValue.SS(Set.of())),
                "One or more parameter values were invalid: An string set  may not be empty");
        assertInvalid(() -> ItemValidator.validateValue(new AttributeValue.NS(Set.of())),
                "One or more parameter values were invalid: An number set  may not be empty");
        assertInvalid(() -> ItemValidator.validateValue(new AttributeValue.BS(new LinkedHashSet<>())),
                "One or more parameter values were invalid: An binary set  may not be empty");
        assertInvalid(() -> ItemValidator.validateValue(new AttributeValue.M(Map.of("s", new AttributeValue.SS(Set.of())))),
                "One or more parameter values were invalid: An string set  may not be empty");
    }

    @Test
    void allowsALeafAtLevel32AndRejectsOneAtLevel33() {
        assertThatCode(() -> ItemValidator.validateValue(nestedMaps(31))).doesNotThrowAnyException();
        assertThatCode(() -> ItemValidator.validateValue(nestedLists(31))).doesNotThrowAnyException();
        assertInvalid(() -> ItemValidator.validateValue(nestedMaps(32)), ItemValidator.NESTING_TOO_DEEP);
        assertInvalid(() -> ItemValidator.validateValue(nestedLists(32)), ItemValidator.NESTING_TOO_DEEP);
        // An empty container at level 32 has nothing below it.
        AttributeValue emptyAt32 = new AttributeValue.M(Map.of());
        for (int i = 0; i < 31; i++) emptyAt32 = new AttributeValue.L(List.of(emptyAt32));
        AttributeValue deepest = emptyAt32;
        assertThatCode(() -> ItemValidator.validateValue(deepest)).doesNotThrowAnyException();
        assertInvalid(() -> ItemValidator.validateItem(HASH, Map.of("id", AttributeValue.s("a"), "d", nestedMaps(32))),
                ItemValidator.NESTING_TOO_DEEP);
    }

    // ---- items -----------------------------------------------------------------------------

    @Test
    void acceptsAnItemWithItsKeys() {
        assertThatCode(() -> ItemValidator.validateItem(HASH_RANGE,
                Map.of("id", AttributeValue.s("a"), "at", AttributeValue.n(1), "x", AttributeValue.s(""))))
                .doesNotThrowAnyException();
    }

    @Test
    void rejectsAnItemWithoutAKeyAttribute() {
        assertInvalid(() -> ItemValidator.validateItem(HASH_RANGE, Map.of("at", AttributeValue.n(1))),
                "One or more parameter values were invalid: Missing the key id in the item");
        assertInvalid(() -> ItemValidator.validateItem(HASH_RANGE, Map.of("id", AttributeValue.s("a"))),
                "One or more parameter values were invalid: Missing the key at in the item");
    }

    @Test
    void rejectsAKeyAttributeOfAnotherType() {
        assertInvalid(() -> ItemValidator.validateItem(HASH, Map.of("id", AttributeValue.n(1))),
                "One or more parameter values were invalid: Type mismatch for key id expected: S actual: N");
        assertInvalid(() -> ItemValidator.validateItem(HASH_RANGE, Map.of("id", AttributeValue.s("a"), "at", new AttributeValue.SS(Set.of("1")))),
                "One or more parameter values were invalid: Type mismatch for key at expected: N actual: SS");
    }

    @Test
    void rejectsEmptyKeyValues() {
        assertInvalid(() -> ItemValidator.validateItem(HASH, Map.of("id", AttributeValue.s(""))),
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: id");
        assertInvalid(() -> ItemValidator.validateItem(BINARY_KEYS, Map.of("h", AttributeValue.b(new byte[1]), "r", AttributeValue.b(new byte[0]))),
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: r");
    }

    @Test
    void limitsThePartitionKeyTo2048Bytes() {
        assertThatCode(() -> ItemValidator.validateItem(HASH, Map.of("id", AttributeValue.s("x".repeat(2048))))).doesNotThrowAnyException();
        // 683 three-byte characters: 2049 bytes in UTF-8, though only 683 chars.
        assertInvalid(() -> ItemValidator.validateItem(HASH, Map.of("id", AttributeValue.s("€".repeat(683)))),
                "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes");
        assertInvalid(() -> ItemValidator.validateItem(BINARY_KEYS, Map.of("h", AttributeValue.b(new byte[2049]), "r", AttributeValue.b(new byte[1]))),
                "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes");
    }

    @Test
    void limitsTheSortKeyTo1024Bytes() {
        assertThatCode(() -> ItemValidator.validateItem(BINARY_KEYS, Map.of("h", AttributeValue.b(new byte[1]), "r", AttributeValue.b(new byte[1024]))))
                .doesNotThrowAnyException();
        assertInvalid(() -> ItemValidator.validateItem(BINARY_KEYS, Map.of("h", AttributeValue.b(new byte[1]), "r", AttributeValue.b(new byte[1025]))),
                "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
    }

    @Test
    void limitsTheItemTo400KiB() {
        // "id" (2) + "a" (1) + key value (1) + payload = 409600 exactly.
        Map<String, AttributeValue> atLimit = Map.of("id", AttributeValue.s("a"), "p", AttributeValue.b(new byte[409_600 - 4]));
        assertThatCode(() -> ItemValidator.validateItem(HASH, atLimit)).doesNotThrowAnyException();
        Map<String, AttributeValue> over = Map.of("id", AttributeValue.s("a"), "p", AttributeValue.b(new byte[409_600 - 3]));
        assertInvalid(() -> ItemValidator.validateItem(HASH, over), "Item size has exceeded the maximum allowed size");
    }

    @Test
    void checksValuesBeforeKeys() {
        assertInvalid(() -> ItemValidator.validateItem(HASH, Map.of("x", new AttributeValue.SS(Set.of()))),
                "One or more parameter values were invalid: An string set  may not be empty");
    }

    // ---- keys ------------------------------------------------------------------------------

    @Test
    void acceptsExactlyTheKeyAttributes() {
        assertThatCode(() -> ItemValidator.validateKey(HASH_RANGE, Map.of("id", AttributeValue.s("a"), "at", AttributeValue.n(0))))
                .doesNotThrowAnyException();
        assertThatCode(() -> ItemValidator.validateKey(HASH, Map.of("id", AttributeValue.s("a")))).doesNotThrowAnyException();
    }

    @Test
    void rejectsAKeyThatDoesNotMatchTheSchema() {
        String mismatch = "The provided key element does not match the schema";
        assertInvalid(() -> ItemValidator.validateKey(HASH_RANGE, Map.of("id", AttributeValue.s("a"))), mismatch);
        assertInvalid(() -> ItemValidator.validateKey(HASH, Map.of("id", AttributeValue.s("a"), "x", AttributeValue.s("b"))), mismatch);
        assertInvalid(() -> ItemValidator.validateKey(HASH_RANGE, Map.of("id", AttributeValue.s("a"), "other", AttributeValue.n(1))), mismatch);
        assertInvalid(() -> ItemValidator.validateKey(HASH, Map.of("id", AttributeValue.n(1))), mismatch);
        assertInvalid(() -> ItemValidator.validateKey(HASH, new HashMap<>()), mismatch);
    }

    @Test
    void checksKeyValuesLikeItemKeys() {
        assertInvalid(() -> ItemValidator.validateKey(HASH, Map.of("id", AttributeValue.s(""))),
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: id");
        assertInvalid(() -> ItemValidator.validateKey(HASH, Map.of("id", AttributeValue.s("x".repeat(2049)))),
                "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes");
        assertInvalid(() -> ItemValidator.validateKey(BINARY_KEYS, Map.of("h", AttributeValue.b(new byte[1]), "r", AttributeValue.b(new byte[1025]))),
                "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
        assertInvalid(() -> ItemValidator.validateKey(HASH_RANGE, Map.of("id", AttributeValue.s("a"), "at", AttributeValue.n("1E+126"))),
                "Number overflow. Attempting to store a number with magnitude larger than supported range");
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static AttributeValue nestedMaps(int wraps) {
        AttributeValue v = AttributeValue.s("leaf");
        for (int i = 0; i < wraps; i++) v = new AttributeValue.M(Map.of("n", v));
        return v;
    }

    private static AttributeValue nestedLists(int wraps) {
        AttributeValue v = AttributeValue.n(1);
        for (int i = 0; i < wraps; i++) v = new AttributeValue.L(List.of(v));
        return v;
    }

    private static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOf(InvalidInputException.class).hasMessage(message);
    }
}
