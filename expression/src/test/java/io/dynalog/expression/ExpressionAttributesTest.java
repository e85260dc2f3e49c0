package io.dynalog.expression;

import static io.dynalog.expression.Fixtures.map;
import static io.dynalog.expression.Fixtures.s;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.topology.model.AttributeValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpressionAttributesTest {

    private static ConditionExpression parse(ExpressionKind kind, String text, Map<String, String> names,
                                             Map<String, AttributeValue> values) {
        return ConditionParser.parse(kind, text, names, values);
    }

    @Test
    void everythingUsedPasses() {
        Map<String, String> names = map("#a", "a", "#b", "b");
        Map<String, AttributeValue> values = map(":x", s("1"), ":y", s("2"));
        ConditionExpression key = parse(ExpressionKind.KEY_CONDITION, "#a = :x", names, values);
        ConditionExpression filter = parse(ExpressionKind.FILTER, "#b = :y", names, values);
        assertThatCode(() -> ExpressionAttributes.checkAllUsed(List.of(key, filter), names, values)).doesNotThrowAnyException();
        assertThatCode(() -> ExpressionAttributes.checkAllUsed(List.of(key), null, map(":x", s("1")))).doesNotThrowAnyException();
    }

    @Test
    void anUnusedValueIsReported() {
        Map<String, AttributeValue> values = map(":v", s("1"), ":x", s("2"));
        ConditionExpression e = parse(ExpressionKind.KEY_CONDITION, "pk = :v", null, values);
        assertThatThrownBy(() -> ExpressionAttributes.checkAllUsed(List.of(e), null, values))
                .isInstanceOf(ExpressionException.class)
                .hasMessage("Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}");
    }

    @Test
    void anUnusedNameIsReported() {
        Map<String, String> names = map("#p", "pk", "#y", "y");
        ConditionExpression e = parse(ExpressionKind.KEY_CONDITION, "#p = :v", names, map(":v", s("1")));
        assertThatThrownBy(() -> ExpressionAttributes.checkAllUsed(List.of(e), names, map(":v", s("1"))))
                .hasMessage("Value provided in ExpressionAttributeNames unused in expressions: keys: {#y}");
    }

    @Test
    void allUnusedKeysAreListedInTheMapsOrder_namesBeforeValues() {
        Map<String, String> names = map("#p", "pk", "#z", "z", "#y", "y");
        Map<String, AttributeValue> values = map(":v", s("1"), ":c", s("2"), ":b", s("3"));
        ConditionExpression e = parse(ExpressionKind.KEY_CONDITION, "#p = :v", names, values);
        assertThatThrownBy(() -> ExpressionAttributes.checkAllUsed(List.of(e), names, values))
                .hasMessage("Value provided in ExpressionAttributeNames unused in expressions: keys: {#z, #y}");
        assertThatThrownBy(() -> ExpressionAttributes.checkAllUsed(List.of(e), map("#p", "pk"), values))
                .hasMessage("Value provided in ExpressionAttributeValues unused in expressions: keys: {:c, :b}");
    }

    @Test
    void withNoExpressionEverythingIsUnused() {
        assertThatThrownBy(() -> ExpressionAttributes.checkAllUsed(List.of(), null, map(":a", s("1"))))
                .hasMessage("Value provided in ExpressionAttributeValues unused in expressions: keys: {:a}");
    }

    @Test
    void mapsMustNotBeEmpty() {
        assertThatThrownBy(() -> ExpressionAttributes.validateKeys(Map.of(), null))
                .hasMessage("ExpressionAttributeNames must not be empty");
        assertThatThrownBy(() -> ExpressionAttributes.validateKeys(null, Map.of()))
                .hasMessage("ExpressionAttributeValues must not be empty");
        assertThatCode(() -> ExpressionAttributes.validateKeys(null, null)).doesNotThrowAnyException();
    }

    @Test
    void keysMustBeWellFormed() {
        assertThatThrownBy(() -> ExpressionAttributes.validateKeys(map("a", "a"), null))
                .hasMessage("ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"");
        assertThatThrownBy(() -> ExpressionAttributes.validateKeys(map("#fle-status", "a"), null))
                .hasMessage("ExpressionAttributeNames contains invalid key: Syntax error; key: \"#fle-status\"");
        assertThatThrownBy(() -> ExpressionAttributes.validateKeys(null, map(":a+b", s("x"))))
                .hasMessage("ExpressionAttributeValues contains invalid key: Syntax error; key: \":a+b\"");
        assertThatThrownBy(() -> ExpressionAttributes.validateKeys(null, map("#a", s("x"))))
                .hasMessage("ExpressionAttributeValues contains invalid key: Syntax error; key: \"#a\"");
        assertThatCode(() -> ExpressionAttributes.validateKeys(map("#_a1", "a"), map(":0_b", s("x")))).doesNotThrowAnyException();
    }
}
