package io.dynalog.expression;

import java.util.HashSet;
import java.util.Set;

/** What a resolved condition reads of an item. */
public final class ConditionPaths {
    private ConditionPaths() {}

    /** The top-level attribute names the condition's paths start at. */
    public static Set<String> topLevelNames(Condition condition) {
        Set<String> names = new HashSet<>();
        collect(condition, names);
        return names;
    }

    private static void collect(Condition c, Set<String> names) {
        if (c instanceof Condition.And a) {
            collect(a.left(), names);
            collect(a.right(), names);
        } else if (c instanceof Condition.Or o) {
            collect(o.left(), names);
            collect(o.right(), names);
        } else if (c instanceof Condition.Not n) {
            collect(n.operand(), names);
        } else if (c instanceof Condition.Comparison cmp) {
            operand(cmp.left(), names);
            operand(cmp.right(), names);
        } else if (c instanceof Condition.Between b) {
            operand(b.subject(), names);
            operand(b.lower(), names);
            operand(b.upper(), names);
        } else if (c instanceof Condition.In in) {
            operand(in.subject(), names);
            in.candidates().forEach(o -> operand(o, names));
        } else if (c instanceof Condition.FunctionCondition f) {
            f.call().arguments().forEach(o -> operand(o, names));
        }
    }

    private static void operand(Operand o, Set<String> names) {
        if (o instanceof Operand.Path p) {
            names.add(p.attributeName());
        } else if (o instanceof Operand.FunctionCall f) {
            f.arguments().forEach(a -> operand(a, names));
        }
    }
}
