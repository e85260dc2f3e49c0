package io.dynalog.expression;

import static io.dynalog.expression.Fixtures.map;
import static io.dynalog.expression.Fixtures.n;
import static io.dynalog.expression.Fixtures.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.topology.model.AttributeValue;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Update expressions parsed and applied to items, with DynamoDB's rules for list indexes, paths and operand types. */
class UpdateApplierTest {
    static final Map<String, AttributeValue> KEY = Map.of("pk", s("k"));

    static AttributeValue list(int... values) {
        return new AttributeValue.L(java.util.Arrays.stream(values).mapToObj(v -> n(Integer.toString(v))).toList());
    }

    static Map<String, AttributeValue> apply(String expression, Map<String, AttributeValue> item, Map<String, AttributeValue> values) {
        UpdateExpression update = UpdateParser.parse(expression, null, values.isEmpty() ? null : values);
        return UpdateApplier.apply(update, item, KEY);
    }

    static Map<String, AttributeValue> item(String name, AttributeValue value) {
        return Map.of("pk", s("k"), name, value);
    }

    @Test
    void everyListIndexNamesAnElementOfTheListBeforeTheUpdate() {
        Map<String, AttributeValue> a = item("a", list(2, 3, 4, 5, 6, 7));
        assertThat(apply("REMOVE a[1], a[2]", a, Map.of()).get("a")).isEqualTo(list(2, 5, 6, 7));
        assertThat(apply("REMOVE a[1] SET a[3] = :v", a, map(":v", n("17"))).get("a")).isEqualTo(list(2, 4, 17, 6, 7));
        assertThat(apply("SET a[3] = :v REMOVE a[1]", a, map(":v", n("17"))).get("a")).isEqualTo(list(2, 4, 17, 6, 7));
        assertThat(apply("SET a[84] = :x, a[37] = :y", a, map(":x", n("1"), ":y", n("2"))).get("a"))
                .as("appended in index order").isEqualTo(list(2, 3, 4, 5, 6, 7, 2, 1));
        assertThat(apply("REMOVE a[9]", a, Map.of()).get("a")).isEqualTo(list(2, 3, 4, 5, 6, 7));
    }

    @Test
    void setValuesComeFromTheItemBeforeTheUpdate() {
        Map<String, AttributeValue> before = Map.of("pk", s("k"), "x", n("1"), "y", n("10"));
        assertThat(apply("SET x = y, y = x", before, Map.of())).containsEntry("x", n("10")).containsEntry("y", n("1"));
        assertThat(apply("SET z = if_not_exists(z, :zero) + :one", before, map(":zero", n("0"), ":one", n("1"))))
                .containsEntry("z", n("1"));
    }

    @Test
    void aPathThroughWhatIsNotThereIsInvalidOnAnItemThatExistsOrNot() {
        Map<String, AttributeValue> item = item("str", s("hello"));
        for (String expression : List.of("REMOVE str.c", "REMOVE str[0]", "REMOVE nosuch.c", "SET nosuch.c = :v", "SET str[0] = :v")) {
            assertThatThrownBy(() -> apply(expression, item, expression.contains(":v") ? map(":v", n("1")) : Map.of()))
                    .as(expression).isInstanceOf(ExpressionException.class)
                    .hasMessage("The document path provided in the update expression is invalid for update");
        }
        assertThatThrownBy(() -> UpdateApplier.apply(UpdateParser.parse("REMOVE nosuch.c", null, null), null, KEY))
                .as("on an item that does not exist (as DynamoDB Local does)")
                .hasMessage("The document path provided in the update expression is invalid for update");
        assertThat(UpdateApplier.apply(UpdateParser.parse("REMOVE nosuch", null, null), null, KEY))
                .as("a top-level name that is not there: nothing to remove").isEqualTo(KEY);
    }

    @Test
    void aRemovedIndexPastTheEndOfTheListBeforeTheUpdateRemovesNothingNotEvenWhatIsAppended() {
        Map<String, AttributeValue> values = map(":v", n("9"));
        assertThat(apply("SET l[2] = :v REMOVE l[0]", item("l", new AttributeValue.L(List.of())), values))
                .containsEntry("l", new AttributeValue.L(List.of(n("9"))));
        assertThat(apply("SET l[2] = :v REMOVE l[0]", item("l", new AttributeValue.L(List.of(n("7")))), values))
                .containsEntry("l", new AttributeValue.L(List.of(n("9"))));
        assertThat(apply("SET l[2] = :v REMOVE l[0]", item("l", new AttributeValue.L(List.of(n("7"), n("8"), n("6")))), values))
                .containsEntry("l", new AttributeValue.L(List.of(n("8"), n("9"))));
    }

    @Test
    void operandTypesOfConstantsAreCheckedBeforeAnyItemIsSeen() {
        assertThatThrownBy(() -> UpdateParser.parse("DELETE nosuch :v", null, map(":v", s("x"))))
                .hasMessage("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: S");
        assertThatThrownBy(() -> UpdateParser.parse("SET b = :x + :y", null, map(":x", s("a"), ":y", n("1"))))
                .hasMessage("Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S");
        assertThatThrownBy(() -> UpdateParser.parse("SET b = list_append(:x, :x)", null, map(":x", s("a"))))
                .hasMessageContaining("operator or function: list_append, operand type: S");
        assertThatThrownBy(() -> UpdateParser.parse("SET b = list_append(list_append(:x, :x), :x)", null,
                map(":x", new AttributeValue.L(List.of()))))
                .hasMessage("Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: list_append");
    }

    @Test
    void pathsThatConflictOrOverlapAreRejected() {
        assertThatThrownBy(() -> UpdateParser.parse("SET a.b = :x, a[1] = :x", null, map(":x", n("1"))))
                .hasMessage("Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; "
                        + "path one: [a, b], path two: [a, [1]]");
        assertThatThrownBy(() -> UpdateParser.parse("SET a.b = :x REMOVE a", null, map(":x", n("1"))))
                .hasMessageContaining("Two document paths overlap with each other");
        UpdateParser.parse("SET a.b = :x, a.c = :x, f[1].d = :x, f[2] = :x REMOVE e[1], e[2]", null, map(":x", n("1")));
    }

    /** DynamoDB Local 2.6.1 reports a syntax error anywhere first, then a reserved word, then the rest. */
    @Test
    void aSyntaxErrorIsReportedBeforeAReservedWordAndAReservedWordBeforeOtherProblems() {
        Map<String, AttributeValue> values = map(":v", n("1"));
        assertThatThrownBy(() -> UpdateParser.parse("SET year = :v garbage", null, values))
                .hasMessage("Invalid UpdateExpression: Syntax error; token: \"garbage\", near: \":v garbage\"");
        assertThatThrownBy(() -> UpdateParser.parse("SET a = year REMOVE", null, values))
                .hasMessage("Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"REMOVE\"");
        assertThatThrownBy(() -> UpdateParser.parse("SET a = :v SET year = :v", null, values))
                .hasMessage("Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: year");
        assertThatThrownBy(() -> UpdateParser.parse("SET b = foo(a), year = :v", null, values))
                .hasMessage("Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: year");
        assertThatThrownBy(() -> UpdateParser.parse("SET b = foo(a) SET c = :v", null, values))
                .hasMessage("Invalid UpdateExpression: Invalid function name; function: foo");
        assertThatThrownBy(() -> ProjectionExpression.parse("year garbage", null))
                .hasMessage("Invalid ProjectionExpression: Syntax error; token: \"garbage\", near: \"year garbage\"");
        assertThatThrownBy(() -> ProjectionExpression.parse("year, a[x]", null))
                .hasMessage("Invalid ProjectionExpression: Syntax error; token: \"x\", near: \"[x]\"");
    }

    @Test
    void addAndDeleteOnSets() {
        Map<String, AttributeValue> item = item("tags", new AttributeValue.SS(Set.of("a", "b")));
        assertThat(((AttributeValue.SS) apply("ADD tags :t", item, map(":t", new AttributeValue.SS(Set.of("c")))).get("tags")).value())
                .containsExactlyInAnyOrder("a", "b", "c");
        assertThat(apply("DELETE tags :t", item, map(":t", new AttributeValue.SS(Set.of("a", "b"))))).doesNotContainKey("tags");
        assertThatThrownBy(() -> apply("ADD tags :n", item, map(":n", n("1"))))
                .hasMessage("An operand in the update expression has an incorrect data type");
    }
}
