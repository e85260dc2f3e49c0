package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed and resolved UpdateExpression: its actions in the order written (SET, REMOVE, ADD and
 * DELETE clauses, each at most once), and the placeholders it used.
 */
public record UpdateExpression(String text, List<Action> actions, Set<String> usedNames, Set<String> usedValues)
        implements ParsedExpression {

    public UpdateExpression {
        Objects.requireNonNull(text, "text");
        actions = List.copyOf(actions);
        usedNames = Set.copyOf(usedNames);
        usedValues = Set.copyOf(usedValues);
    }

    @Override
    public ExpressionKind kind() {
        return ExpressionKind.UPDATE;
    }

    /** One action on one document path. */
    public sealed interface Action {
        Operand.Path path();
    }

    /** {@code SET path = value}. */
    public record SetAction(Operand.Path path, Value value) implements Action {}

    /** {@code REMOVE path}. */
    public record RemoveAction(Operand.Path path) implements Action {}

    /** {@code ADD path :v}: adds to a number, or the elements of a set to a set. */
    public record AddAction(Operand.Path path, AttributeValue value) implements Action {}

    /** {@code DELETE path :v}: removes the elements of a set from a set. */
    public record DeleteAction(Operand.Path path, AttributeValue value) implements Action {}

    /** The right-hand side of a SET action. */
    public sealed interface Value {}

    /** A path into the item as it was before the update, or a value. */
    public record Ref(Operand operand) implements Value {}

    /** {@code if_not_exists(path, value)}: the path's value if it has one, else the value. */
    public record IfNotExists(Operand.Path path, Value otherwise) implements Value {}

    /** {@code list_append(a, b)}: the elements of list a, then those of list b. */
    public record ListAppend(Value first, Value second) implements Value {}

    /** {@code a + b} or {@code a - b}, of two numbers. */
    public record Arithmetic(boolean plus, Value left, Value right) implements Value {}
}
