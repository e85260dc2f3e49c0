package io.dynalog.expression;

import static io.dynalog.expression.Fixtures.b;
import static io.dynalog.expression.Fixtures.map;
import static io.dynalog.expression.Fixtures.n;
import static io.dynalog.expression.Fixtures.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.expression.SortKeyCondition.Op;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class KeyConditionsTest {

    /** pk S, sk N. */
    private static final KeySchema NUMBER_SORT = KeySchema.hashRange("pk", ScalarType.S, "sk", ScalarType.N);
    private static final KeySchema STRING_SORT = KeySchema.hashRange("pk", ScalarType.S, "sk", ScalarType.S);
    private static final KeySchema BINARY_SORT = KeySchema.hashRange("pk", ScalarType.N, "sk", ScalarType.B);
    private static final KeySchema HASH_ONLY = KeySchema.hash("pk", ScalarType.S);

    private static final Map<String, AttributeValue> VALUES = map(
            ":p", s("user#1"), ":s", s("abc"), ":t", s("abd"), ":one", n("1"), ":five", n("5"), ":bin", b(1, 2), ":pn", n("7"));

    private static KeyCondition parse(String expression, KeySchema schema) {
        return KeyConditions.parse(expression, map("#p", "pk", "#s", "sk", "#o", "extra"), VALUES, schema);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(String expression, KeySchema schema) {
        return assertThatThrownBy(() -> parse(expression, schema)).isInstanceOf(ExpressionException.class);
    }

    @Nested
    class Accepted {

        @Test
        void partitionKeyAlone() {
            assertThat(parse("pk = :p", NUMBER_SORT)).isEqualTo(new KeyCondition(s("user#1"), null));
            assertThat(parse(":p = pk", HASH_ONLY)).isEqualTo(new KeyCondition(s("user#1"), null));
            assertThat(parse("pk = :p", HASH_ONLY).hasSortCondition()).isFalse();
        }

        @Test
        void everySortKeyComparison() {
            assertThat(parse("pk = :p AND sk = :one", NUMBER_SORT).sortCondition()).isEqualTo(new SortKeyCondition(Op.EQ, n("1"), null));
            assertThat(parse("pk = :p AND sk < :one", NUMBER_SORT).sortCondition()).isEqualTo(new SortKeyCondition(Op.LT, n("1"), null));
            assertThat(parse("pk = :p AND sk <= :one", NUMBER_SORT).sortCondition()).isEqualTo(new SortKeyCondition(Op.LE, n("1"), null));
            assertThat(parse("pk = :p AND sk > :one", NUMBER_SORT).sortCondition()).isEqualTo(new SortKeyCondition(Op.GT, n("1"), null));
            assertThat(parse("pk = :p AND sk >= :one", NUMBER_SORT).sortCondition()).isEqualTo(new SortKeyCondition(Op.GE, n("1"), null));
        }

        @Test
        void aValueOnTheLeftMirrorsTheOperator() {
            assertThat(parse("pk = :p AND :one < sk", NUMBER_SORT).sortCondition()).isEqualTo(new SortKeyCondition(Op.GT, n("1"), null));
            assertThat(parse("pk = :p AND :one >= sk", NUMBER_SORT).sortCondition()).isEqualTo(new SortKeyCondition(Op.LE, n("1"), null));
        }

        @Test
        void betweenAndBeginsWith() {
            assertThat(parse("pk = :p AND sk BETWEEN :one AND :five", NUMBER_SORT))
                    .isEqualTo(new KeyCondition(s("user#1"), new SortKeyCondition(Op.BETWEEN, n("1"), n("5"))));
            assertThat(parse("pk = :p AND sk between :one and :one", NUMBER_SORT).sortCondition())
                    .isEqualTo(new SortKeyCondition(Op.BETWEEN, n("1"), n("1")));
            assertThat(parse("pk = :p AND begins_with(sk, :s)", STRING_SORT).sortCondition())
                    .isEqualTo(new SortKeyCondition(Op.BEGINS_WITH, s("abc"), null));
            assertThat(parse("pk = :pn AND begins_with(sk, :bin)", BINARY_SORT))
                    .isEqualTo(new KeyCondition(n("7"), new SortKeyCondition(Op.BEGINS_WITH, b(1, 2), null)));
        }

        @Test
        void eitherOrderPlaceholdersAndParentheses() {
            KeyCondition expected = new KeyCondition(s("user#1"), new SortKeyCondition(Op.GT, n("1"), null));
            assertThat(parse("sk > :one AND pk = :p", NUMBER_SORT)).isEqualTo(expected);
            assertThat(parse("#p = :p and #s > :one", NUMBER_SORT)).isEqualTo(expected);
            assertThat(parse("(pk = :p) AND (sk > :one)", NUMBER_SORT)).isEqualTo(expected);
            assertThat(parse("(pk = :p AND sk > :one)", NUMBER_SORT)).isEqualTo(expected);
            assertThat(parse("(sk) > (:one) AnD (pk = :p)", NUMBER_SORT)).isEqualTo(expected);
        }

        @Test
        void aParsedExpressionResolvesAgainstAnySchema() {
            ConditionExpression parsed = ConditionParser.parse(ExpressionKind.KEY_CONDITION, "pk = :p AND sk = :s", null, VALUES);
            assertThat(KeyConditions.resolve(parsed, STRING_SORT).sortCondition()).isEqualTo(new SortKeyCondition(Op.EQ, s("abc"), null));
            assertThatThrownBy(() -> KeyConditions.resolve(parsed, NUMBER_SORT))
                    .hasMessage("One or more parameter values were invalid: Condition parameter type does not match schema type");
            assertThatThrownBy(() -> KeyConditions.resolve(parsed, KeySchema.hashRange("pk", ScalarType.S, "extra", ScalarType.S)))
                    .hasMessage("Query condition missed key schema element: extra");
        }

        @Test
        void resolveOnlyTakesKeyConditions() {
            ConditionExpression filter = ConditionParser.parse(ExpressionKind.FILTER, "pk = :p", null, VALUES);
            assertThatThrownBy(() -> KeyConditions.resolve(filter, HASH_ONLY)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Operators {

        @Test
        void onlyAndJoinsConditions() {
            assertRejected("pk = :p OR sk = :one", NUMBER_SORT).hasMessage("Invalid operator used in KeyConditionExpression: OR");
            assertRejected("pk = :p AND NOT sk = :one", NUMBER_SORT).hasMessage("Invalid operator used in KeyConditionExpression: NOT");
            assertRejected("pk > :p AND sk > :one OR pk = :p", NUMBER_SORT).hasMessage("Invalid operator used in KeyConditionExpression: OR");
        }

        @Test
        void inAndNotEqualAreNotKeyOperators() {
            assertRejected("pk IN (:p)", NUMBER_SORT).hasMessage("Invalid operator used in KeyConditionExpression: IN");
            assertRejected("pk = :p AND sk <> :one", NUMBER_SORT).hasMessage("Invalid operator used in KeyConditionExpression: <>");
        }

        @Test
        void onlyBeginsWithAmongFunctions() {
            assertRejected("attribute_exists(pk)", NUMBER_SORT).hasMessage("Invalid operator used in KeyConditionExpression: attribute_exists");
            assertRejected("pk = :p AND attribute_not_exists(sk)", NUMBER_SORT)
                    .hasMessage("Invalid operator used in KeyConditionExpression: attribute_not_exists");
            assertRejected("pk = :p AND contains(sk, :s)", STRING_SORT).hasMessage("Invalid operator used in KeyConditionExpression: contains");
            assertRejected("pk = :p AND attribute_type(sk, :s)", STRING_SORT)
                    .hasMessage("Invalid KeyConditionExpression: Invalid attribute type name found; type: abc, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
            ConditionExpression typeCheck = ConditionParser.parse(ExpressionKind.KEY_CONDITION, "attribute_type(sk, :t)", null, map(":t", s("S")));
            assertThatThrownBy(() -> KeyConditions.resolve(typeCheck, STRING_SORT))
                    .hasMessage("Invalid operator used in KeyConditionExpression: attribute_type");
        }

        @Test
        void noNestedOperations() {
            assertRejected("pk = :p AND size(sk) > :one", NUMBER_SORT).hasMessage("KeyConditionExpressions cannot contain nested operations");
            assertRejected("pk = :p AND sk BETWEEN size(pk) AND :one", NUMBER_SORT)
                    .hasMessage("KeyConditionExpressions cannot contain nested operations");
        }
    }

    @Nested
    class Operands {

        @Test
        void nestedPathsAreNotKeys() {
            assertRejected("pk.a = :p", NUMBER_SORT).hasMessage("KeyConditionExpressions cannot have conditions on nested attributes");
            assertRejected("pk = :p AND sk[0] > :one", NUMBER_SORT).hasMessage("KeyConditionExpressions cannot have conditions on nested attributes");
        }

        @Test
        void oneAttributePerCondition() {
            assertRejected("pk = sk", NUMBER_SORT)
                    .hasMessage("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
            assertRejected(":p = :s", NUMBER_SORT).hasMessage("Invalid condition in KeyConditionExpression: No key attribute specified");
        }

        @Test
        void theKeyComesFirstInBetweenAndBeginsWith() {
            assertRejected("pk = :p AND :one BETWEEN sk AND :five", NUMBER_SORT)
                    .hasMessage("Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand");
            assertRejected("pk = :p AND begins_with(:s, sk)", STRING_SORT)
                    .hasMessage("Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand");
        }

        @Test
        void betweenBoundsAreOrdered() {
            assertRejected("pk = :p AND sk BETWEEN :five AND :one", NUMBER_SORT).hasMessage(
                    "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                            + "lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}");
            assertRejected("pk = :p AND sk BETWEEN :t AND :s", STRING_SORT).hasMessage(
                    "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                            + "lower bound operand: AttributeValue: {S:abd}, upper bound operand: AttributeValue: {S:abc}");
            assertRejected("pk = :p AND sk BETWEEN :one AND :s", NUMBER_SORT).hasMessage(
                    "Invalid KeyConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; "
                            + "lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:abc}");
        }

        @Test
        void beginsWithTakesStringsAndBinary() {
            assertRejected("pk = :p AND begins_with(sk, :one)", NUMBER_SORT).hasMessage(
                    "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N");
            assertRejected("pk = :p AND begins_with(sk, :s)", NUMBER_SORT)
                    .hasMessage("One or more parameter values were invalid: Condition parameter type does not match schema type");
        }
    }

    @Nested
    class KeySchemaRules {

        @Test
        void thePartitionKeyIsRequired() {
            assertRejected("sk = :one", NUMBER_SORT).hasMessage("Query condition missed key schema element: pk");
            assertRejected("extra = :p", NUMBER_SORT).hasMessage("Query condition missed key schema element: pk");
            assertRejected("sk BETWEEN :one AND :five", NUMBER_SORT).hasMessage("Query condition missed key schema element: pk");
            assertRejected("extra = :p", HASH_ONLY).hasMessage("Query condition missed key schema element: pk");
        }

        @Test
        void aSecondConditionMustBeOnTheSortKey() {
            assertRejected("pk = :p AND extra = :one", NUMBER_SORT).hasMessage("Query condition missed key schema element: sk");
            assertRejected("#o = :one AND pk = :p", NUMBER_SORT).hasMessage("Query condition missed key schema element: sk");
        }

        @Test
        void aTableWithoutSortKeyTakesOneCondition() {
            assertRejected("pk = :p AND extra = :s", HASH_ONLY).hasMessage("Query key condition not supported");
            assertRejected("y = :p AND z = :p", HASH_ONLY).hasMessage("Query key condition not supported");
            assertRejected("pk = :p AND sk = :s", HASH_ONLY).hasMessage("Query key condition not supported");
        }

        @Test
        void thePartitionKeyConditionIsEquality() {
            assertRejected("pk > :p", HASH_ONLY).hasMessage("Query key condition not supported");
            assertRejected(":p <= pk", HASH_ONLY).hasMessage("Query key condition not supported");
            assertRejected("begins_with(pk, :p)", HASH_ONLY).hasMessage("Query key condition not supported");
            assertRejected("pk BETWEEN :p AND :p AND sk = :one", NUMBER_SORT).hasMessage("Query key condition not supported");
        }

        @Test
        void oneConditionPerKey() {
            assertRejected("pk = :p AND pk = :p", NUMBER_SORT).hasMessage("KeyConditionExpressions must only contain one condition per key");
            assertRejected("pk = :p AND sk > :one AND sk < :five", NUMBER_SORT)
                    .hasMessage("KeyConditionExpressions must only contain one condition per key");
            assertRejected("pk = :p AND #p = :p", NUMBER_SORT).hasMessage("KeyConditionExpressions must only contain one condition per key");
        }

        @Test
        void atMostTwoConditions() {
            assertRejected("pk = :p AND sk > :one AND extra = :five", NUMBER_SORT).hasMessage("Conditions can be of length 1 or 2 only");
        }

        @Test
        void valuesHaveTheKeysTypes() {
            String mismatch = "One or more parameter values were invalid: Condition parameter type does not match schema type";
            assertRejected("pk = :one", NUMBER_SORT).hasMessage(mismatch);
            assertRejected("pk = :p AND sk = :s", NUMBER_SORT).hasMessage(mismatch);
            assertRejected("pk = :p AND sk BETWEEN :s AND :t", NUMBER_SORT).hasMessage(mismatch);
            assertRejected("pk = :p AND sk > :bin", STRING_SORT).hasMessage(mismatch);
            // Checked before the partition key's operator.
            assertRejected(":one > pk", HASH_ONLY).hasMessage(mismatch);
        }
    }

    @Nested
    class ExpressionErrors {

        @Test
        void areNamedForKeyConditionExpression() {
            assertRejected("", NUMBER_SORT).hasMessage("Invalid KeyConditionExpression: The expression can not be empty;");
            assertRejected("pk = :nope", NUMBER_SORT).hasMessage(
                    "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope");
            assertRejected("#nope = :p", NUMBER_SORT).hasMessage(
                    "Invalid KeyConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #nope");
            assertRejected("name = :p", NUMBER_SORT)
                    .hasMessage("Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: name");
            assertRejected("pk = :p AND", NUMBER_SORT)
                    .hasMessage("Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\"");
            assertRejected("GI-1-PK = :p", NUMBER_SORT)
                    .hasMessage("Invalid KeyConditionExpression: Syntax error; token: \"-\", near: \"GI-1\"");
            assertRejected("((pk = :p))", NUMBER_SORT).hasMessage("Invalid KeyConditionExpression: The expression has redundant parentheses;");
        }
    }
}
