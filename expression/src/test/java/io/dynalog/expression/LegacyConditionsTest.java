package io.dynalog.expression;

import static io.dynalog.expression.Fixtures.n;
import static io.dynalog.expression.Fixtures.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The legacy conditions mean what DynamoDB means by them, and are refused in its words. */
class LegacyConditionsTest {
    private static final Map<String, AttributeValue> ITEM = Map.of("pk", s("k"), "n", n("5"), "s", s("hello"),
            "ss", new AttributeValue.SS(java.util.Set.of("x", "y")), "m.f", n("1"));

    static LegacyConditions.Clause clause(String name, String operator, AttributeValue... arguments) {
        return new LegacyConditions.Clause(name, operator, List.of(arguments), null, null);
    }

    static boolean holds(LegacyConditions.Clause... clauses) {
        return ConditionEvaluator.test(LegacyConditions.filter(List.of(clauses), null), ITEM);
    }

    @Test
    void operatorsOnPresentAndMissingAttributes() {
        assertThat(holds(clause("n", "EQ", n("5")))).isTrue();
        assertThat(holds(clause("missing", "NE", n("5")))).as("NE holds for a missing attribute").isTrue();
        assertThat(holds(clause("missing", "NOT_CONTAINS", s("x")))).as("NOT_CONTAINS does not").isFalse();
        assertThat(holds(clause("n", "NOT_CONTAINS", s("x")))).as("a number contains nothing").isTrue();
        assertThat(holds(clause("ss", "CONTAINS", s("x")))).isTrue();
        assertThat(holds(clause("n", "LT", s("x")))).as("another type never compares").isFalse();
        assertThat(holds(clause("n", "BETWEEN", n("1"), n("5")), clause("s", "BEGINS_WITH", s("he")))).isTrue();
        assertThat(holds(clause("n", "IN", n("1"), n("5")), clause("missing", "NULL"), clause("s", "NOT_NULL"))).isTrue();
        assertThat(holds(clause("m.f", "EQ", n("1")))).as("a dot is part of the name").isTrue();
        assertThat(ConditionEvaluator.test(LegacyConditions.filter(List.of(clause("n", "EQ", n("6")), clause("s", "NOT_NULL")), "OR"), ITEM))
                .isTrue();
    }

    @Test
    void expectedValueAndExists() {
        Condition c = LegacyConditions.expected(List.of(new LegacyConditions.Clause("n", null, null, n("5"), null),
                new LegacyConditions.Clause("missing", null, null, null, false)), null);
        assertThat(ConditionEvaluator.test(c, ITEM)).isTrue();
        assertThat(LegacyConditions.expected(List.of(), null)).isNull();
        assertThatThrownBy(() -> LegacyConditions.expected(List.of(new LegacyConditions.Clause("n", null, null, null, true)), null))
                .hasMessage("One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: n");
        assertThatThrownBy(() -> LegacyConditions.expected(List.of(new LegacyConditions.Clause("n", "EQ", List.of(n("1")), null, true)), null))
                .hasMessage("One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: n");
    }

    @Test
    void argumentCountsAndTypes() {
        assertThatThrownBy(() -> holds(clause("n", "BETWEEN", n("1"))))
                .hasMessage("One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator");
        assertThatThrownBy(() -> holds(clause("n", "IN", n("1"), s("1"))))
                .hasMessage("One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type");
        assertThatThrownBy(() -> holds(clause("n", "GT", new AttributeValue.SS(java.util.Set.of("x")))))
                .hasMessage("One or more parameter values were invalid: ComparisonOperator GT is not valid for SS AttributeValue type");
        assertThatThrownBy(() -> holds(clause("n", "BETWEEN", n("9"), n("1"))))
                .hasMessage("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
        assertThatThrownBy(() -> holds(clause("n", "FOO", n("1")))).hasMessageContaining("Member must satisfy enum value set");
        assertThatThrownBy(() -> LegacyConditions.filter(List.of(clause("n", "EQ", n("1"))), "XOR"))
                .hasMessageContaining("Member must satisfy enum value set: [AND, OR]");
    }

    @Test
    void keyConditionsSelectKeysOnly() {
        KeySchema schema = KeySchema.hashRange("pk", ScalarType.S, "sk", ScalarType.N);
        KeyCondition key = LegacyConditions.keyConditions(List.of(clause("pk", "EQ", s("k")), clause("sk", "BETWEEN", n("1"), n("3"))), schema);
        assertThat(key.partitionKeyValue()).isEqualTo(s("k"));
        assertThat(key.sortCondition()).isEqualTo(new SortKeyCondition(SortKeyCondition.Op.BETWEEN, n("1"), n("3")));
        assertThatThrownBy(() -> LegacyConditions.keyConditions(List.of(clause("pk", "EQ", s("k")), clause("sk", "NE", n("1"))), schema))
                .hasMessage("Attempted conditional constraint is not an indexable operation");
        assertThatThrownBy(() -> LegacyConditions.keyConditions(List.of(), schema)).hasMessage("Conditions can be of length 1 or 2 only");
        assertThatThrownBy(() -> LegacyConditions.keyConditions(List.of(clause("pk", "EQ", n("1"))), schema))
                .hasMessage("One or more parameter values were invalid: Condition parameter type does not match schema type");
    }
}
