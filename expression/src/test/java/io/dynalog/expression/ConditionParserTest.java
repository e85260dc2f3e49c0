package io.dynalog.expression;

import static io.dynalog.expression.Fixtures.call;
import static io.dynalog.expression.Fixtures.cmp;
import static io.dynalog.expression.Fixtures.map;
import static io.dynalog.expression.Fixtures.n;
import static io.dynalog.expression.Fixtures.path;
import static io.dynalog.expression.Fixtures.s;
import static io.dynalog.expression.Fixtures.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.topology.model.AttributeValue;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ConditionParserTest {

    private static final Map<String, AttributeValue> VALUES = map(":v", s("x"), ":w", s("y"), ":n", n("1"), ":m", n("9"));
    private static final Operand.ValueRef V = value(":v", s("x"));
    private static final Operand.ValueRef W = value(":w", s("y"));
    private static final Operand.ValueRef N = value(":n", n("1"));
    private static final Operand.ValueRef M = value(":m", n("9"));

    private static Condition parse(String text) {
        return ConditionParser.parse(ExpressionKind.CONDITION, text, map("#c", "c", "#dot", "x.y"), VALUES).condition();
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRejected(String text) {
        return assertThatThrownBy(() -> parse(text)).isInstanceOf(ExpressionException.class);
    }

    @Nested
    class Structure {

        @Test
        void everyComparator() {
            for (Comparator c : Comparator.values()) {
                assertThat(parse("a " + c.symbol() + " :v")).isEqualTo(cmp(path("a"), c, V));
            }
        }

        @Test
        void valuesMayStandOnEitherSideAndPathsOnBoth() {
            assertThat(parse(":v < a")).isEqualTo(cmp(V, Comparator.LT, path("a")));
            assertThat(parse("a <> b")).isEqualTo(cmp(path("a"), Comparator.NE, path("b")));
        }

        @Test
        void betweenAndIn() {
            assertThat(parse("a BETWEEN :n AND :m")).isEqualTo(new Condition.Between(path("a"), N, M));
            assertThat(parse("a in (:v, :w, b)")).isEqualTo(new Condition.In(path("a"), List.of(V, W, path("b"))));
            assertThat(parse("a IN (:v)")).isEqualTo(new Condition.In(path("a"), List.of(V)));
        }

        @Test
        void functions() {
            assertThat(parse("begins_with(a, :v)"))
                    .isEqualTo(new Condition.FunctionCondition(call(ExpressionFunction.BEGINS_WITH, path("a"), V)));
            assertThat(parse("attribute_not_exists(a.b)"))
                    .isEqualTo(new Condition.FunctionCondition(call(ExpressionFunction.ATTRIBUTE_NOT_EXISTS, path("a", "b"))));
            assertThat(parse("size(a) > :n")).isEqualTo(cmp(call(ExpressionFunction.SIZE, path("a")), Comparator.GT, N));
            assertThat(parse("contains(a, size(b))"))
                    .isEqualTo(new Condition.FunctionCondition(call(ExpressionFunction.CONTAINS, path("a"), call(ExpressionFunction.SIZE, path("b")))));
        }

        @Test
        void documentPaths() {
            assertThat(parse("a.b[2].#c = :v")).isEqualTo(cmp(path("a", "b", 2, "c"), Comparator.EQ, V));
            assertThat(parse("a . b [ 2 ] [3] = :v")).isEqualTo(cmp(path("a", "b", 2, 3), Comparator.EQ, V));
            // A placeholder's name is one attribute even when it holds a dot.
            assertThat(parse("#dot = :v")).isEqualTo(cmp(path("x.y"), Comparator.EQ, V));
        }

        @Test
        void parenthesisedOperands() {
            assertThat(parse("(a) = (:v)")).isEqualTo(cmp(path("a"), Comparator.EQ, V));
            assertThat(parse("(a.b)[1] = :v")).isEqualTo(cmp(path("a", "b", 1), Comparator.EQ, V));
            assertThat(parse("(size(a)) > :n")).isEqualTo(cmp(call(ExpressionFunction.SIZE, path("a")), Comparator.GT, N));
            assertThat(parse("a BETWEEN (:n) AND (:m)")).isEqualTo(new Condition.Between(path("a"), N, M));
            assertThat(parse("(begins_with(a, :v))"))
                    .isEqualTo(new Condition.FunctionCondition(call(ExpressionFunction.BEGINS_WITH, path("a"), V)));
            assertThat(parse("a IN ((:v), :w)")).isEqualTo(new Condition.In(path("a"), List.of(V, W)));
            assertThat(parse("(attribute_exists(a) AND b = :v)")).isEqualTo(new Condition.And(
                    new Condition.FunctionCondition(call(ExpressionFunction.ATTRIBUTE_EXISTS, path("a"))), cmp(path("b"), Comparator.EQ, V)));
            assertThat(parse("(contains(a, :v) OR NOT begins_with(a, :w))")).isInstanceOf(Condition.Or.class);
        }

        @Test
        void whitespaceIsFree() {
            assertThat(parse("a=:v")).isEqualTo(parse(" \t a \r\n =\n:v  "));
        }
    }

    @Nested
    class Precedence {

        private final Condition a = cmp(path("a"), Comparator.EQ, V);
        private final Condition b = cmp(path("b"), Comparator.EQ, V);
        private final Condition c = cmp(path("c"), Comparator.EQ, V);

        @Test
        void andBindsTighterThanOr() {
            assertThat(parse("a = :v OR b = :v AND c = :v")).isEqualTo(new Condition.Or(a, new Condition.And(b, c)));
            assertThat(parse("a = :v AND b = :v OR c = :v")).isEqualTo(new Condition.Or(new Condition.And(a, b), c));
        }

        @Test
        void notBindsTighterThanAnd() {
            assertThat(parse("NOT a = :v AND b = :v")).isEqualTo(new Condition.And(new Condition.Not(a), b));
            assertThat(parse("a = :v OR NOT b = :v")).isEqualTo(new Condition.Or(a, new Condition.Not(b)));
            assertThat(parse("not not a = :v")).isEqualTo(new Condition.Not(new Condition.Not(a)));
        }

        @Test
        void andAndOrGroupToTheLeft() {
            assertThat(parse("a = :v AND b = :v AND c = :v")).isEqualTo(new Condition.And(new Condition.And(a, b), c));
            assertThat(parse("a = :v OR b = :v OR c = :v")).isEqualTo(new Condition.Or(new Condition.Or(a, b), c));
        }

        @Test
        void betweenTakesTheFirstAnd() {
            assertThat(parse("a BETWEEN :n AND :m AND b = :v"))
                    .isEqualTo(new Condition.And(new Condition.Between(path("a"), N, M), b));
        }

        @Test
        void parenthesesOverridePrecedence() {
            assertThat(parse("(a = :v OR b = :v) AND c = :v")).isEqualTo(new Condition.And(new Condition.Or(a, b), c));
            assertThat(parse("a = :v AND (b = :v OR c = :v)")).isEqualTo(new Condition.And(a, new Condition.Or(b, c)));
            assertThat(parse("NOT (a = :v AND b = :v)")).isEqualTo(new Condition.Not(new Condition.And(a, b)));
            assertThat(parse("(a = :v) AND ((b = :v) OR (c = :v))"))
                    .isEqualTo(new Condition.And(a, new Condition.Or(b, c)));
        }
    }

    @Nested
    class Placeholders {

        @Test
        void resolvesNamesAndValuesAndRecordsTheirUse() {
            ConditionExpression e = ConditionParser.parse(ExpressionKind.FILTER, "#a.#b = :v AND #a > :n",
                    map("#a", "name", "#b", "size", "#z", "unused"), VALUES);
            assertThat(e.condition()).isEqualTo(new Condition.And(
                    cmp(path("name", "size"), Comparator.EQ, V), cmp(path("name"), Comparator.GT, N)));
            assertThat(e.usedNames()).containsExactlyInAnyOrder("#a", "#b");
            assertThat(e.usedValues()).containsExactlyInAnyOrder(":v", ":n");
            assertThat(e.kind()).isEqualTo(ExpressionKind.FILTER);
            assertThat(e.text()).isEqualTo("#a.#b = :v AND #a > :n");
        }

        @Test
        void anUndefinedNameIsNamed() {
            assertThatThrownBy(() -> ConditionParser.parse(ExpressionKind.KEY_CONDITION, "#n = :v", null, VALUES))
                    .isInstanceOf(ExpressionException.class)
                    .hasMessage("Invalid KeyConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #n");
            assertRejected("a.#nope = :v")
                    .hasMessage("Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #nope");
        }

        @Test
        void anUndefinedValueIsNamed() {
            assertThatThrownBy(() -> ConditionParser.parse(ExpressionKind.KEY_CONDITION, "a = :v", Map.of(), null))
                    .hasMessage("Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :v");
            assertRejected("a = :v AND b = :x AND c = :y")
                    .hasMessage("Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :x");
        }
    }

    @Nested
    class ReservedWords {

        @Test
        void aBareReservedNameIsRejectedInAnyCase() {
            assertRejected("name = :v")
                    .hasMessage("Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name");
            assertRejected("a = :v AND Status = :w")
                    .hasMessage("Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Status");
            assertThatThrownBy(() -> ConditionParser.parse(ExpressionKind.KEY_CONDITION, "pk = :v AND begins_with(date, :w)", null, VALUES))
                    .hasMessage("Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: date");
        }

        @Test
        void anywhereInAPath() {
            assertRejected("a.size = :v")
                    .hasMessage("Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: size");
        }

        @Test
        void aPlaceholderMayStandForOne() {
            ConditionExpression e = ConditionParser.parse(ExpressionKind.CONDITION, "#n = :v", map("#n", "name"), VALUES);
            assertThat(e.condition()).isEqualTo(cmp(path("name"), Comparator.EQ, V));
        }

        @Test
        void reservedFunctionNamesAreFunctions() {
            assertThat(parse("size(a) = :n")).isEqualTo(cmp(call(ExpressionFunction.SIZE, path("a")), Comparator.EQ, N));
        }

        @Test
        void isReportedBeforeUndefinedPlaceholders() {
            assertRejected("name = :undefined").hasMessageContaining("reserved keyword: name");
        }
    }

    @Nested
    class SyntaxErrors {

        @Test
        void namesTheTokenAndItsNeighbours() {
            assertRejected("a-b = :v").hasMessage("Invalid ConditionExpression: Syntax error; token: \"-\", near: \"a-b\"");
            assertRejected("a == :v").hasMessage("Invalid ConditionExpression: Syntax error; token: \"=\", near: \"== :v\"");
            assertRejected("a = :v b = :w").hasMessage("Invalid ConditionExpression: Syntax error; token: \"b\", near: \":v b =\"");
            assertRejected("a > 4").hasMessage("Invalid ConditionExpression: Syntax error; token: \"4\", near: \"> 4\"");
        }

        @Test
        void atTheEndTheTokenIsEof() {
            assertRejected("foo").hasMessage("Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"foo\"");
            assertRejected("a = ").hasMessage("Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\"");
            assertRejected("a = :v AND").hasMessage("Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\"");
        }

        @Test
        void namesCannotStartWithAnUnderscore() {
            assertRejected("_version = :v").hasMessage("Invalid ConditionExpression: Syntax error; token: \"_\", near: \"_version\"");
            assertRejected("__typename <> :v").hasMessage("Invalid ConditionExpression: Syntax error; token: \"_\", near: \"__\"");
        }

        @Test
        void unbalancedOrMisplacedTokens() {
            assertRejected("(a = :v").hasMessageContaining("token: \"<EOF>\"");
            assertRejected("a = :v)").hasMessage("Invalid ConditionExpression: Syntax error; token: \")\", near: \":v)\"");
            assertRejected("a BETWEEN :n :m").hasMessageContaining("token: \":m\"");
            assertRejected("a IN ()").hasMessageContaining("token: \")\"");
            assertRejected("a IN :v").hasMessageContaining("token: \":v\"");
            assertRejected("size() > :n").hasMessageContaining("token: \")\"");
            assertRejected("a.[1] = :v").hasMessageContaining("token: \"[\"");
            assertRejected("a[x] = :v").hasMessageContaining("token: \"x\"");
            assertRejected("a[99999999999] = :v").hasMessageContaining("token: \"99999999999\"");
            assertRejected("a.AND = :v").hasMessageContaining("token: \"AND\"");
            assertRejected("(a) AND b = :v").hasMessageContaining("token: \"AND\"");
            assertRejected("(a AND b = :v)").hasMessageContaining("token: \"AND\"");
            assertRejected("a = :v AND (b)").hasMessageContaining("token: \"<EOF>\"");
            assertRejected("NOT a").hasMessageContaining("token: \"<EOF>\"");
            assertRejected("# = :v").hasMessageContaining("token: \"#\"");
            assertRejected("a = !:v").hasMessageContaining("token: \"!\"");
            assertRejected("a = :v + :w").hasMessageContaining("token: \"+\"");
            assertRejected(":v").hasMessageContaining("token: \"<EOF>\"");
        }

        @Test
        void badCharactersAreNamed() {
            assertRejected("a = :v % 2")
                    .hasMessage("Invalid ConditionExpression: Invalid character encountered; character: \"%\", near: \":v %\"");
        }

        @Test
        void nestingIsBounded() {
            String deep = "NOT ".repeat(ConditionParser.MAX_NESTING + 1) + "a = :v";
            assertRejected(deep).hasMessageStartingWith("Invalid ConditionExpression: Syntax error; token: \"NOT\"");
            String allowed = "NOT ".repeat(ConditionParser.MAX_NESTING) + "a = :v";
            assertThat(parse(allowed)).isInstanceOf(Condition.Not.class);
            String parens = "(".repeat(1000) + "a" + ")".repeat(1000) + " = :v";
            assertRejected(parens).hasMessageContaining("Syntax error");
        }
    }

    @Nested
    class TextChecks {

        @Test
        void emptyExpressions() {
            assertRejected("").hasMessage("Invalid ConditionExpression: The expression can not be empty;");
            assertRejected(" \n\t").hasMessage("Invalid ConditionExpression: The expression can not be empty;");
        }

        @Test
        void expressionsAreAtMostFourKilobytes() {
            String text = "a = :v OR a = :v".repeat(300);
            assertRejected(text).hasMessage(
                    "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: " + text.length());
            String multibyte = "a = :v AND " + "#é".repeat(2100);
            assertRejected(multibyte).hasMessageContaining("expression size: " + (11 + 2100 * 3));
        }
    }

    @Nested
    class AfterParsing {

        @Test
        void redundantParentheses() {
            assertRejected("((a = :v))").hasMessage("Invalid ConditionExpression: The expression has redundant parentheses;");
            assertRejected("((a)) = :v").hasMessage("Invalid ConditionExpression: The expression has redundant parentheses;");
            assertRejected("a = :v AND ((b = :v) OR c = :v) AND ((c = :v))").hasMessageContaining("redundant parentheses");
            assertThat(parse("((a = :v) AND (b = :v))")).isInstanceOf(Condition.And.class);
        }

        @Test
        void unknownFunctions() {
            assertRejected("foo(a) = :v").hasMessage("Invalid ConditionExpression: Invalid function name; function: foo");
            assertRejected("BEGINS_WITH(a, :v)").hasMessage("Invalid ConditionExpression: Invalid function name; function: BEGINS_WITH");
            assertRejected("if_not_exists(a, :v)").hasMessage("Invalid ConditionExpression: Invalid function name; function: if_not_exists");
        }

        @Test
        void functionsWhereTheyMayNotStand() {
            assertRejected("begins_with(a, :v) = :w")
                    .hasMessage("Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: begins_with");
            assertRejected("size(a)")
                    .hasMessage("Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size");
            assertRejected("NOT size(a) AND a = :v").hasMessageContaining("function: size");
            assertRejected("size(attribute_exists(a)) > :n").hasMessageContaining("function: attribute_exists");
        }

        @Test
        void operandCounts() {
            assertRejected("attribute_exists(a, b)").hasMessage(
                    "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2");
            assertRejected("begins_with(a)").hasMessage(
                    "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1");
        }

        @Test
        void operandsMustBeDistinct() {
            assertRejected("a = a").hasMessage(
                    "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]");
            assertRejected("contains(a.b[1], a.b[1])").hasMessageContaining("operator: contains, first operand: [a, b, [1]]");
            assertRejected("a IN (:v, a)").hasMessageContaining("operator: IN, first operand: [a]");
        }

        @Test
        void atMost300OperatorsAndFunctions() {
            String limit = String.join(" AND ", java.util.Collections.nCopies(100, "attribute_exists(a)")) + " AND "
                    + String.join(" AND ", java.util.Collections.nCopies(50, "a = :v"));
            assertThat(parse(limit)).as("100 functions, 50 comparisons, 149 ANDs").isInstanceOf(Condition.And.class);
            assertRejected(limit + " AND a = :v").as("one comparison and one AND more")
                    .hasMessage("Invalid ConditionExpression: The expression contains too many operators; operator count: 301");
            Map<String, AttributeValue> values = map(":v", n("1"));
            String sums = "SET " + String.join(",", java.util.stream.IntStream.range(0, 301).mapToObj(i -> "a" + i + "=:v+:v").toList());
            assertThatThrownBy(() -> UpdateParser.parse(sums, null, values))
                    .hasMessage("Invalid UpdateExpression: The expression contains too many operators; operator count: 301");
            assertThat(UpdateParser.parse(sums.substring(0, sums.lastIndexOf(',')), null, values).actions()).hasSize(300);
        }

        @Test
        void orderComparisonsTakeOnlyNumbersStringsAndBinaries() {
            Map<String, AttributeValue> values = map(":l", new AttributeValue.L(List.of()), ":t", AttributeValue.Bool.TRUE,
                    ":n", n("1"), ":z", AttributeValue.Null.INSTANCE);
            for (String text : List.of("a < :l", ":t >= a", "a BETWEEN :l AND :l", "a > :z")) {
                assertThatThrownBy(() -> ConditionParser.parse(ExpressionKind.CONDITION, text, null, values)).as(text)
                        .hasMessageStartingWith("Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: ");
            }
            assertThatThrownBy(() -> ConditionParser.parse(ExpressionKind.CONDITION, "a <= :l", null, values))
                    .hasMessage("Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <=, operand type: L");
            assertThat(ConditionParser.parse(ExpressionKind.CONDITION, "a = :l AND b <> :t AND c < :n", null, values).condition())
                    .as("equality takes any type").isInstanceOf(Condition.And.class);
        }

        @Test
        void operandTypes() {
            assertRejected("begins_with(a, :n)").hasMessage(
                    "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N");
            assertRejected("begins_with(a, size(b))").hasMessageContaining("begins_with, operand type: N");
            assertRejected("size(:n) > :m").hasMessageContaining("operator or function: size, operand type: N");
            assertRejected("attribute_exists(:v)").hasMessage(
                    "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists");
            assertRejected("attribute_type(a, :n)").hasMessageContaining("attribute_type, operand type: N");
            assertRejected("attribute_type(a, :v)").hasMessage(
                    "Invalid ConditionExpression: Invalid attribute type name found; type: x, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
            ConditionExpression ok = ConditionParser.parse(ExpressionKind.CONDITION, "attribute_type(a, :t)", null, map(":t", s("SS")));
            assertThat(ok.condition()).isInstanceOf(Condition.FunctionCondition.class);
        }

        @Test
        void betweenBounds() {
            assertRejected("a BETWEEN :m AND :n").hasMessage(
                    "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                            + "lower bound operand: AttributeValue: {N:9}, upper bound operand: AttributeValue: {N:1}");
            assertRejected("a BETWEEN :n AND :v").hasMessage(
                    "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; "
                            + "lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:x}");
            assertThat(parse("a BETWEEN :n AND :n")).isInstanceOf(Condition.Between.class);
            assertRejected("a BETWEEN :w AND :v AND a = :v")
                    .hasMessageEndingWith("lower bound operand: AttributeValue: {S:y}, upper bound operand: AttributeValue: {S:x}");
        }

        @Test
        void priorityAmongProblems() {
            // Syntax errors come first, then redundant parentheses, unknown functions, misused functions, reserved words.
            assertRejected("((name = :v)) AND foo(a) AND").hasMessageContaining("Syntax error");
            assertRejected("((name = :v)) AND foo(a)").hasMessageContaining("redundant parentheses");
            assertRejected("name = :v AND size(a) AND foo(a)").hasMessageContaining("Invalid function name; function: foo");
            assertRejected("name = :v AND size(a)").hasMessageContaining("function: size");
            // Then undefined placeholders, operand counts, distinct operands, operand types.
            assertRejected("begins_with(a, :n) AND a = a AND size(a, :undefined) > :n").hasMessageContaining("attribute value: :undefined");
            assertRejected("begins_with(a, :n) AND a = a AND size(a, b) > :n").hasMessageContaining("number of operands: 2");
            assertRejected("begins_with(a, :n) AND a = a").hasMessageContaining("must be distinct");
        }
    }

    @Nested
    class Caching {

        @Test
        void theSyntaxTreeIsParsedOncePerText() {
            String text = "cached_a = :v AND #c > :n";
            Syntax.Cond first = ConditionParser.syntaxTree(ExpressionKind.CONDITION, text);
            assertThat(ConditionParser.syntaxTree(ExpressionKind.FILTER, text)).isSameAs(first);
        }

        @Test
        void eachRequestResolvesItsOwnPlaceholders() {
            String text = "cached_b = :v";
            Condition one = ConditionParser.parse(ExpressionKind.CONDITION, text, null, map(":v", s("one"))).condition();
            Condition two = ConditionParser.parse(ExpressionKind.CONDITION, text, null, map(":v", n("2"))).condition();
            assertThat(one).isEqualTo(cmp(path("cached_b"), Comparator.EQ, value(":v", s("one"))));
            assertThat(two).isEqualTo(cmp(path("cached_b"), Comparator.EQ, value(":v", n("2"))));
        }

        @Test
        void failuresAreNotCachedAndSpeakOfTheirOwnKind() {
            String text = "cached_c = = :v";
            assertThatThrownBy(() -> ConditionParser.parse(ExpressionKind.CONDITION, text, null, VALUES))
                    .hasMessageStartingWith("Invalid ConditionExpression: Syntax error");
            assertThatThrownBy(() -> ConditionParser.parse(ExpressionKind.FILTER, text, null, VALUES))
                    .hasMessageStartingWith("Invalid FilterExpression: Syntax error");
            String reserved = "cached_d = :v AND name = :v";
            assertThatThrownBy(() -> ConditionParser.parse(ExpressionKind.KEY_CONDITION, reserved, null, VALUES))
                    .hasMessageStartingWith("Invalid KeyConditionExpression: Attribute name is a reserved keyword");
            assertThatThrownBy(() -> ConditionParser.parse(ExpressionKind.FILTER, reserved, null, VALUES))
                    .hasMessageStartingWith("Invalid FilterExpression: Attribute name is a reserved keyword");
        }
    }

    @Test
    void onlyConditionKindsAreParsedHere() {
        assertThatThrownBy(() -> ConditionParser.parse(ExpressionKind.UPDATE, "SET a = :v", null, VALUES))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
