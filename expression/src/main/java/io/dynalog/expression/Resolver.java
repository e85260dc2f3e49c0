package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a syntax tree into a {@link Condition} for one request: replaces each {@code #name} with its
 * attribute name and each {@code :value} with its value, and records which placeholders it used.
 *
 * <p>A placeholder the request does not define is an error; the first one in reading order is
 * reported. One resolver serves one expression of one request.
 */
final class Resolver {

    private final ExpressionKind kind;
    private final Map<String, String> names;
    private final Map<String, AttributeValue> values;
    private final Set<String> usedNames = new HashSet<>();
    private final Set<String> usedValues = new HashSet<>();

    Resolver(ExpressionKind kind, Map<String, String> names, Map<String, AttributeValue> values) {
        this.kind = kind;
        this.names = names == null ? Map.of() : names;
        this.values = values == null ? Map.of() : values;
    }

    /** The name placeholders resolved so far. */
    Set<String> usedNames() {
        return Set.copyOf(usedNames);
    }

    /** The value placeholders resolved so far. */
    Set<String> usedValues() {
        return Set.copyOf(usedValues);
    }

    Condition condition(Syntax.Cond node) {
        if (node instanceof Syntax.Compare c) {
            return new Condition.Comparison(c.comparator(), operand(c.left()), operand(c.right()));
        } else if (node instanceof Syntax.Between b) {
            return new Condition.Between(operand(b.subject()), operand(b.lower()), operand(b.upper()));
        } else if (node instanceof Syntax.In in) {
            return new Condition.In(operand(in.subject()), operands(in.candidates()));
        } else if (node instanceof Syntax.And and) {
            return new Condition.And(condition(and.left()), condition(and.right()));
        } else if (node instanceof Syntax.Or or) {
            return new Condition.Or(condition(or.left()), condition(or.right()));
        } else if (node instanceof Syntax.Not not) {
            return new Condition.Not(condition(not.operand()));
        } else if (node instanceof Syntax.CallCond cc) {
            return new Condition.FunctionCondition(call(cc.call()));
        }
        throw new IllegalStateException("unknown node " + node);
    }

    Operand operand(Syntax.Operand node) {
        if (node instanceof Syntax.PathExpr path) {
            return path(path);
        } else if (node instanceof Syntax.ValuePlaceholder v) {
            return new Operand.ValueRef(v.placeholder(), value(v.placeholder()));
        } else if (node instanceof Syntax.Call call) {
            return call(call);
        }
        throw new IllegalStateException("unknown node " + node);
    }

    private List<Operand> operands(List<Syntax.Operand> nodes) {
        List<Operand> resolved = new ArrayList<>(nodes.size());
        for (Syntax.Operand node : nodes) resolved.add(operand(node));
        return resolved;
    }

    private Operand.Path path(Syntax.PathExpr path) {
        List<PathElement> elements = new ArrayList<>(path.segments().size());
        for (Syntax.Segment segment : path.segments()) {
            if (segment instanceof Syntax.Name n) {
                elements.add(new PathElement.Attribute(n.name()));
            } else if (segment instanceof Syntax.NamePlaceholder p) {
                elements.add(new PathElement.Attribute(name(p.placeholder())));
            } else if (segment instanceof Syntax.Index i) {
                elements.add(new PathElement.Index(i.index()));
            }
        }
        return new Operand.Path(elements);
    }

    private Operand.FunctionCall call(Syntax.Call call) {
        ExpressionFunction function = ExpressionFunction.byName(call.function());
        if (function == null) {
            throw new IllegalStateException("unchecked syntax tree: unknown function " + call.function());
        }
        return new Operand.FunctionCall(function, operands(call.arguments()));
    }

    private String name(String placeholder) {
        String name = names.get(placeholder);
        if (name == null) {
            throw kind.invalid("An expression attribute name used in the document path is not defined; attribute name: " + placeholder);
        }
        usedNames.add(placeholder);
        return name;
    }

    private AttributeValue value(String placeholder) {
        AttributeValue value = values.get(placeholder);
        if (value == null) {
            throw kind.invalid("An expression attribute value used in expression is not defined; attribute value: " + placeholder);
        }
        usedValues.add(placeholder);
        return value;
    }
}
