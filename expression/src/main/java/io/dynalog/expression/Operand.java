package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import java.util.List;
import java.util.Objects;

/**
 * What a condition compares: a document path into the item, a value from ExpressionAttributeValues,
 * or a function call that yields a value ({@code size}).
 *
 * <p>Operands are resolved: no placeholder remains in them.
 */
public sealed interface Operand {

    /**
     * A document path such as {@code a.b[2].c}: never empty, and it starts with an attribute name.
     */
    record Path(List<PathElement> elements) implements Operand {
        public Path {
            elements = List.copyOf(elements);
            if (elements.isEmpty() || !(elements.get(0) instanceof PathElement.Attribute)) {
                throw new IllegalArgumentException("a path starts with an attribute name: " + elements);
            }
        }

        /** A path to a top-level attribute. */
        public static Path of(String attribute) {
            return new Path(List.of(new PathElement.Attribute(attribute)));
        }

        /** The top-level attribute the path starts at. */
        public String attributeName() {
            return ((PathElement.Attribute) elements.get(0)).name();
        }

        /** Whether the path names a top-level attribute, not something inside one. */
        public boolean isTopLevel() {
            return elements.size() == 1;
        }

        /** The path as DynamoDB prints it in messages, e.g. {@code [a, b, [2]]}. */
        @Override
        public String toString() {
            return elements.toString();
        }
    }

    /** A value from ExpressionAttributeValues, with the placeholder that named it. */
    record ValueRef(String placeholder, AttributeValue value) implements Operand {
        public ValueRef {
            Objects.requireNonNull(placeholder, "placeholder");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * A function call. Where it stands decides what it may be: as an operand only {@code size} is
     * allowed, as a condition ({@link Condition.FunctionCondition}) only the others. The number and
     * types of arguments are checked by the parser, not here.
     */
    record FunctionCall(ExpressionFunction function, List<Operand> arguments) implements Operand {
        public FunctionCall {
            Objects.requireNonNull(function, "function");
            arguments = List.copyOf(arguments);
        }
    }
}
