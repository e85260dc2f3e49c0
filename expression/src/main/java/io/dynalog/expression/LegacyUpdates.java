package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * UpdateItem's pre-expression AttributeUpdates, turned into the UpdateExpression it means, so one
 * applier serves both: per top-level attribute (named literally) an Action, PUT by default.
 * <ul>
 *   <li>PUT sets the value ({@code SET a = v});
 *   <li>DELETE without a value removes the attribute ({@code REMOVE a}), with a set removes its
 *       elements ({@code DELETE a v});
 *   <li>ADD adds to a number or a set ({@code ADD a v}), and, unlike the ADD of an expression,
 *       appends a list to a list ({@code SET a = list_append(if_not_exists(a, []), v)}).
 * </ul>
 * The value types each action takes are checked here, with DynamoDB's messages. A mismatch with
 * the attribute's present type is found when the update is applied ({@link #apply}).
 */
public final class LegacyUpdates {

    /** What the expression applier's operand-type error is called in this API. */
    static final String TYPE_MISMATCH = "Type mismatch for attribute to update";

    /** The text a translated update carries in place of an expression's. */
    public static final String TEXT = "AttributeUpdates";

    /** Value types as this API's messages name them. */
    private static final Map<AttributeValue.Type, String> TYPE_NAMES = Map.of(
            AttributeValue.Type.S, "STRING", AttributeValue.Type.N, "NUMBER", AttributeValue.Type.B, "BINARY",
            AttributeValue.Type.BOOL, "BOOLEAN", AttributeValue.Type.NULL, "NULL", AttributeValue.Type.M, "MAP",
            AttributeValue.Type.L, "LIST", AttributeValue.Type.SS, "STRING_SET", AttributeValue.Type.NS, "NUMBER_SET",
            AttributeValue.Type.BS, "BINARY_SET");

    /** DynamoDB's AttributeAction enum. */
    public enum Action { ADD, PUT, DELETE }

    /** One attribute's update as the request gave it; action and value may be absent (null). */
    public record Clause(String attributeName, String action, AttributeValue value) {}

    private LegacyUpdates() {}

    /** The update the clauses mean; null when there are none (the item is then written with its key alone). */
    public static UpdateExpression update(List<Clause> clauses) {
        if (clauses.isEmpty()) return null;
        List<UpdateExpression.Action> actions = new ArrayList<>();
        for (Clause clause : clauses) actions.add(action(clause));
        return new UpdateExpression(TEXT, actions, Set.of(), Set.of());
    }

    /** The attributes the clauses write or remove (what UPDATED_OLD reports); not checked. */
    public static List<Operand.Path> targets(List<Clause> clauses) {
        List<Operand.Path> paths = new ArrayList<>();
        for (Clause clause : clauses) paths.add(Operand.Path.of(clause.attributeName()));
        return paths;
    }

    /** The attributes the clauses leave a value in, all but removals (what UPDATED_NEW reports); not checked. */
    public static List<Operand.Path> writtenTargets(List<Clause> clauses) {
        List<Operand.Path> paths = new ArrayList<>();
        for (Clause clause : clauses) {
            if (clause.value() != null) paths.add(Operand.Path.of(clause.attributeName()));
        }
        return paths;
    }

    /**
     * Applies a translated update (see {@link UpdateApplier#apply}); an operand whose type does not
     * fit the attribute is reported in this API's words.
     */
    public static Map<String, AttributeValue> apply(UpdateExpression update, Map<String, AttributeValue> current,
                                                    Map<String, AttributeValue> key) {
        try {
            return UpdateApplier.apply(update, current, key);
        } catch (ExpressionException e) {
            if (UpdateApplier.WRONG_TYPE.equals(e.getMessage())) throw new ExpressionException(TYPE_MISMATCH);
            throw e;
        }
    }

    private static UpdateExpression.Action action(Clause clause) {
        Operand.Path path = Operand.Path.of(clause.attributeName());
        Action action = action(clause.action());
        AttributeValue value = clause.value();
        if (value == null) {
            if (action != Action.DELETE) {
                throw LegacyConditions.invalid("Only DELETE action is allowed when no attribute value is specified");
            }
            return new UpdateExpression.RemoveAction(path);
        }
        return switch (action) {
            case PUT -> new UpdateExpression.SetAction(path, ref(value));
            case DELETE -> {
                if (!UpdateApplier.isSet(value)) {
                    throw LegacyConditions.invalid("DELETE action with value is not supported for the type " + typeName(value));
                }
                yield new UpdateExpression.DeleteAction(path, value);
            }
            case ADD -> {
                if (value instanceof AttributeValue.L) {
                    UpdateExpression.Value existing = new UpdateExpression.IfNotExists(path, ref(new AttributeValue.L(List.of())));
                    yield new UpdateExpression.SetAction(path, new UpdateExpression.ListAppend(existing, ref(value)));
                }
                if (!(value instanceof AttributeValue.N) && !UpdateApplier.isSet(value)) {
                    throw LegacyConditions.invalid("ADD action is not supported for the type " + typeName(value));
                }
                yield new UpdateExpression.AddAction(path, value);
            }
        };
    }

    private static Action action(String text) {
        if (text == null) return Action.PUT;
        try {
            return Action.valueOf(text);
        } catch (IllegalArgumentException unknown) {
            throw new ExpressionException("1 validation error detected: Value '" + text + "' at 'attributeUpdates' failed to satisfy "
                    + "constraint: Member must satisfy enum value set: [ADD, DELETE, PUT]");
        }
    }

    private static UpdateExpression.Ref ref(AttributeValue value) {
        return new UpdateExpression.Ref(new Operand.ValueRef("Value", value));
    }

    /** The type as this API's messages name it. */
    private static String typeName(AttributeValue value) {
        return TYPE_NAMES.get(value.type());
    }

}
