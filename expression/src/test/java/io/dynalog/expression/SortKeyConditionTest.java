package io.dynalog.expression;

import static io.dynalog.expression.Fixtures.b;
import static io.dynalog.expression.Fixtures.n;
import static io.dynalog.expression.Fixtures.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.expression.SortKeyCondition.Op;
import org.junit.jupiter.api.Test;

class SortKeyConditionTest {

    @Test
    void aSecondValueGoesWithBetweenOnly() {
        assertThatThrownBy(() -> new SortKeyCondition(Op.BETWEEN, n("1"), null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SortKeyCondition(Op.EQ, n("1"), n("2"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SortKeyCondition(Op.EQ, null, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void comparesNumbersByValue() {
        assertThat(new SortKeyCondition(Op.EQ, n("1.50"), null).matches(n("1.5"))).isTrue();
        assertThat(new SortKeyCondition(Op.LT, n("10"), null).matches(n("9"))).isTrue();
        assertThat(new SortKeyCondition(Op.LT, n("10"), null).matches(n("10"))).isFalse();
        assertThat(new SortKeyCondition(Op.LE, n("10"), null).matches(n("10"))).isTrue();
        assertThat(new SortKeyCondition(Op.GT, n("-1"), null).matches(n("0"))).isTrue();
        assertThat(new SortKeyCondition(Op.GE, n("2"), null).matches(n("1e1"))).isTrue();
        SortKeyCondition between = new SortKeyCondition(Op.BETWEEN, n("1"), n("5"));
        assertThat(between.matches(n("1"))).isTrue();
        assertThat(between.matches(n("5"))).isTrue();
        assertThat(between.matches(n("5.0001"))).isFalse();
    }

    @Test
    void comparesStringsByUtf8Bytes() {
        // U+FFFD sorts before U+1F600 in UTF-8 (and code points), after it in UTF-16.
        assertThat(new SortKeyCondition(Op.LT, s("\uD83D\uDE00"), null).matches(s("\uFFFD"))).isTrue();
        assertThat(new SortKeyCondition(Op.GT, s("a"), null).matches(s("ab"))).isTrue();
        assertThat(new SortKeyCondition(Op.LT, s("a"), null).matches(s("B"))).isTrue();
    }

    @Test
    void comparesBinaryAsUnsignedBytes() {
        assertThat(new SortKeyCondition(Op.GT, b(0x7f), null).matches(b(0x80))).isTrue();
        assertThat(new SortKeyCondition(Op.BEGINS_WITH, b(1, 2), null).matches(b(1, 2, 3))).isTrue();
        assertThat(new SortKeyCondition(Op.BEGINS_WITH, b(1, 2), null).matches(b(1))).isFalse();
    }

    @Test
    void beginsWith() {
        SortKeyCondition prefix = new SortKeyCondition(Op.BEGINS_WITH, s("ab"), null);
        assertThat(prefix.matches(s("abc"))).isTrue();
        assertThat(prefix.matches(s("ab"))).isTrue();
        assertThat(prefix.matches(s("a"))).isFalse();
        assertThat(new SortKeyCondition(Op.BEGINS_WITH, n("1"), null).matches(n("12"))).isFalse();
    }

    @Test
    void aValueOfAnotherTypeNeverMatches() {
        assertThat(new SortKeyCondition(Op.GE, n("1"), null).matches(s("2"))).isFalse();
        assertThat(new SortKeyCondition(Op.EQ, s("1"), null).matches(b(1))).isFalse();
    }
}
