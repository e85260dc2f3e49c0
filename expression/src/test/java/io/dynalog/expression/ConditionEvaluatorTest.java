package io.dynalog.expression;

import static io.dynalog.expression.Fixtures.map;
import static io.dynalog.expression.Fixtures.n;
import static io.dynalog.expression.Fixtures.s;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.topology.model.AttributeValue;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Conditions evaluated against items, as DynamoDB evaluates them (parsed from their text). */
class ConditionEvaluatorTest {
    static final Map<String, AttributeValue> ITEM = Map.of(
            "id", s("k1"),
            "count", n("5"),
            "name", s("Nina Simone"),
            "tags", new AttributeValue.SS(Set.of("jazz", "soul")),
            "scores", new AttributeValue.NS(Set.of(new BigDecimal("1"), new BigDecimal("2"))),
            "songs", new AttributeValue.L(List.of(s("Sinnerman"), new AttributeValue.M(Map.of("title", s("Feeling Good"))))),
            "info", new AttributeValue.M(Map.of("released", n("1965"), "label", s("Philips"))),
            "flag", AttributeValue.Bool.TRUE);

    static boolean eval(String expression, Map<String, AttributeValue> values) {
        ConditionExpression parsed = ConditionParser.parse(ExpressionKind.CONDITION, expression,
                Map.of("#n", "name", "#c", "count"), values.isEmpty() ? null : values);
        return ConditionEvaluator.test(parsed.condition(), ITEM);
    }

    @Test
    void comparisonsOfOneTypeAndMissingOperands() {
        assertThat(eval("#c = :v", map(":v", n("5.0")))).isTrue();
        assertThat(eval("#c < :v", map(":v", n("10")))).isTrue();
        assertThat(eval("#c >= :v", map(":v", n("6")))).isFalse();
        assertThat(eval("#n > :v", map(":v", s("Nina")))).isTrue();
        assertThat(eval("#c < :v", map(":v", s("10")))).as("N and S are not ordered together").isFalse();
        assertThat(eval("nope = :v", map(":v", s("x")))).isFalse();
        assertThat(eval("nope <> :v", map(":v", s("x")))).as("<> is true when an operand is nope").isTrue();
        assertThat(eval("NOT nope < :v", map(":v", n("1")))).isTrue();
    }

    @Test
    void documentPathsBetweenInAndLogic() {
        assertThat(eval("info.released BETWEEN :a AND :b", map(":a", n("1960"), ":b", n("1969")))).isTrue();
        assertThat(eval("songs[1].title = :t", map(":t", s("Feeling Good")))).isTrue();
        assertThat(eval("songs[5] = :t OR songs[0] = :u", map(":t", s("x"), ":u", s("Sinnerman")))).isTrue();
        assertThat(eval("#c IN (:a, :b)", map(":a", n("4"), ":b", n("5")))).isTrue();
        assertThat(eval("#c IN (:a)", map(":a", s("5")))).isFalse();
        assertThat(eval("#c = :a OR #c = :b AND flag = :f", map(":a", n("5"), ":b", n("9"), ":f", AttributeValue.Bool.FALSE)))
                .as("AND binds tighter than OR").isTrue();
        assertThat(eval("(#c = :a OR #c = :b) AND flag = :f", map(":a", n("5"), ":b", n("9"), ":f", AttributeValue.Bool.FALSE))).isFalse();
    }

    @Test
    void functions() {
        assertThat(eval("attribute_exists(info.label) AND attribute_not_exists(info.monthnum)", Map.of())).isTrue();
        assertThat(eval("attribute_type(tags, :t)", map(":t", s("SS")))).isTrue();
        assertThat(eval("attribute_type(#c, :t)", map(":t", s("S")))).isFalse();
        assertThat(eval("begins_with(#n, :p)", map(":p", s("Nina ")))).isTrue();
        assertThat(eval("begins_with(#c, :p)", map(":p", s("5")))).isFalse();
        assertThat(eval("contains(#n, :p) AND contains(tags, :t) AND contains(scores, :x)",
                map(":p", s("Sim"), ":t", s("soul"), ":x", n("2")))).isTrue();
        assertThat(eval("contains(songs, :s)", map(":s", s("Sinnerman")))).isTrue();
        assertThat(eval("contains(tags, :x)", map(":x", n("2")))).isFalse();
        assertThat(eval("size(#n) = :l AND size(tags) = :two AND size(info) = :two AND size(songs) < :three",
                map(":l", n("11"), ":two", n("2"), ":three", n("3")))).isTrue();
        assertThat(eval("size(#c) > :z", map(":z", n("0")))).as("size of a number is nope").isFalse();
        assertThat(eval("size(nope) > :z OR NOT size(nope) > :z", map(":z", n("0")))).isTrue();
    }

    @Test
    void noItemIsAnItemWithoutAttributes() {
        ConditionExpression parsed = ConditionParser.parse(ExpressionKind.CONDITION, "attribute_not_exists(id)", null, null);
        assertThat(ConditionEvaluator.test(parsed.condition(), null)).isTrue();
    }
}
