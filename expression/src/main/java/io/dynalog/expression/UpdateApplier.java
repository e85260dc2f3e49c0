package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies a resolved UpdateExpression to an item, as DynamoDB does: every SET value is computed
 * from the item as it was before the update, then the actions are applied in order. An item that
 * does not exist is updated from its key alone.
 *
 * <p>Errors that depend on the item are ValidationExceptions in DynamoDB's words: an operand path
 * the item lacks, an operand of the wrong type, a nested path whose parent is missing or not a
 * map or list (on a new item as on one that exists).
 */
public final class UpdateApplier {
    static final String MISSING_OPERAND = "The provided expression refers to an attribute that does not exist in the item";
    static final String WRONG_TYPE = "An operand in the update expression has an incorrect data type";
    static final String BAD_PATH = "The document path provided in the update expression is invalid for update";

    private UpdateApplier() {}

    /**
     * @param current the item before the update, or null when there is none
     * @param key the item's key attributes, what a new item starts from
     * @return the item after the update, a new map
     */
    public static Map<String, AttributeValue> apply(UpdateExpression update, Map<String, AttributeValue> current,
                                                    Map<String, AttributeValue> key) {
        Map<String, AttributeValue> before = current != null ? current : key;
        List<AttributeValue> setValues = new ArrayList<>();
        for (UpdateExpression.Action a : update.actions()) {
            if (a instanceof UpdateExpression.SetAction set) setValues.add(value(set.value(), before));
        }
        // Every list index names an element of the list as it was before the update: elements are
        // replaced first, then appended (past the end) in index order, and removed last, from the
        // highest index down, so no action moves another's element.
        List<Runnable> replacements = new ArrayList<>();
        List<Map.Entry<Integer, Runnable>> appends = new ArrayList<>();
        List<Map.Entry<Integer, Runnable>> listRemovals = new ArrayList<>();
        Map<String, AttributeValue> result = new LinkedHashMap<>(before);
        int nextSet = 0;
        for (UpdateExpression.Action a : update.actions()) {
            List<PathElement> path = a.path().elements();
            Runnable step;
            if (a instanceof UpdateExpression.SetAction) {
                AttributeValue value = setValues.get(nextSet++);
                step = () -> put(result, path, value);
            } else if (a instanceof UpdateExpression.RemoveAction) {
                step = () -> remove(result, path);
            } else if (a instanceof UpdateExpression.AddAction add) {
                step = () -> put(result, path, added(DocumentPaths.get(result, a.path()), add.value()));
            } else {
                UpdateExpression.DeleteAction delete = (UpdateExpression.DeleteAction) a;
                step = () -> {
                    AttributeValue found = DocumentPaths.get(result, a.path());
                    if (found == null) {
                        checkParent(result, path);
                        return;
                    }
                    AttributeValue rest = removed(found, delete.value());
                    if (rest == null) remove(result, path); else put(result, path, rest);
                };
            }
            Integer index = path.get(path.size() - 1) instanceof PathElement.Index i ? i.index() : null;
            if (index == null) {
                replacements.add(step);
            } else if (a instanceof UpdateExpression.RemoveAction) {
                // An index past the end of the list before the update names nothing, even when a
                // SET of this update appends an element there.
                if (!pastTheEnd(before, path, index)) listRemovals.add(Map.entry(index, step));
            } else if (pastTheEnd(before, path, index)) {
                appends.add(Map.entry(index, step));
            } else {
                replacements.add(step);
            }
        }
        replacements.forEach(Runnable::run);
        appends.sort(Map.Entry.comparingByKey());
        appends.forEach(e -> e.getValue().run());
        listRemovals.sort(Map.Entry.<Integer, Runnable>comparingByKey().reversed());
        listRemovals.forEach(e -> e.getValue().run());
        return result;
    }

    private static boolean pastTheEnd(Map<String, AttributeValue> item, List<PathElement> path, int index) {
        AttributeValue parent = DocumentPaths.get(item, new Operand.Path(path.subList(0, path.size() - 1)));
        return parent instanceof AttributeValue.L l && index >= l.value().size();
    }

    /** The parent of a nested path must exist and be a map or list of the step's kind, on a new item too (for REMOVE and DELETE). */
    private static void checkParent(Map<String, AttributeValue> item, List<PathElement> path) {
        if (path.size() == 1) return;
        AttributeValue parent = DocumentPaths.get(item, new Operand.Path(path.subList(0, path.size() - 1)));
        PathElement last = path.get(path.size() - 1);
        boolean fits = last instanceof PathElement.Attribute ? parent instanceof AttributeValue.M : parent instanceof AttributeValue.L;
        if (!fits) throw new ExpressionException(BAD_PATH);
    }

    /** The paths of the actions that leave a value there (all but REMOVE): what UPDATED_NEW reports. */
    public static List<Operand.Path> writtenTargets(UpdateExpression update) {
        List<Operand.Path> paths = new ArrayList<>();
        for (UpdateExpression.Action a : update.actions()) {
            if (!(a instanceof UpdateExpression.RemoveAction)) paths.add(a.path());
        }
        return paths;
    }

    /** The paths an update writes or removes (what UPDATED_OLD reports). */
    public static List<Operand.Path> targets(UpdateExpression update) {
        List<Operand.Path> paths = new ArrayList<>();
        for (UpdateExpression.Action a : update.actions()) paths.add(a.path());
        return paths;
    }

    private static AttributeValue value(UpdateExpression.Value v, Map<String, AttributeValue> item) {
        if (v instanceof UpdateExpression.Ref ref) {
            AttributeValue value = ConditionEvaluator.value(ref.operand(), item);
            if (value == null) throw new ExpressionException(MISSING_OPERAND);
            return value;
        }
        if (v instanceof UpdateExpression.IfNotExists ine) {
            AttributeValue existing = DocumentPaths.get(item, ine.path());
            return existing != null ? existing : value(ine.otherwise(), item);
        }
        if (v instanceof UpdateExpression.ListAppend append) {
            AttributeValue first = value(append.first(), item);
            AttributeValue second = value(append.second(), item);
            if (!(first instanceof AttributeValue.L a) || !(second instanceof AttributeValue.L b)) throw new ExpressionException(WRONG_TYPE);
            List<AttributeValue> joined = new ArrayList<>(a.value());
            joined.addAll(b.value());
            return new AttributeValue.L(joined);
        }
        UpdateExpression.Arithmetic arithmetic = (UpdateExpression.Arithmetic) v;
        AttributeValue left = value(arithmetic.left(), item);
        AttributeValue right = value(arithmetic.right(), item);
        if (!(left instanceof AttributeValue.N a) || !(right instanceof AttributeValue.N b)) throw new ExpressionException(WRONG_TYPE);
        return new AttributeValue.N(arithmetic.plus() ? a.value().add(b.value()) : a.value().subtract(b.value()));
    }

    private static AttributeValue added(AttributeValue current, AttributeValue operand) {
        if (!(operand instanceof AttributeValue.N) && !isSet(operand)) {
            throw ExpressionKind.UPDATE.invalid("Incorrect operand type for operator or function; operator: ADD, operand type: "
                    + operand.type());
        }
        if (current == null) return operand;
        if (current instanceof AttributeValue.N a && operand instanceof AttributeValue.N b) return new AttributeValue.N(a.value().add(b.value()));
        if (current instanceof AttributeValue.SS a && operand instanceof AttributeValue.SS b) return new AttributeValue.SS(union(a.value(), b.value()));
        if (current instanceof AttributeValue.NS a && operand instanceof AttributeValue.NS b) return new AttributeValue.NS(union(a.value(), b.value()));
        if (current instanceof AttributeValue.BS a && operand instanceof AttributeValue.BS b) return new AttributeValue.BS(union(a.value(), b.value()));
        throw new ExpressionException(WRONG_TYPE);
    }

    /** The set without the operand's elements; null when nothing is left. */
    private static AttributeValue removed(AttributeValue current, AttributeValue operand) {
        if (!isSet(operand)) {
            throw ExpressionKind.UPDATE.invalid("Incorrect operand type for operator or function; operator: DELETE, operand type: "
                    + operand.type());
        }
        if (current instanceof AttributeValue.SS a && operand instanceof AttributeValue.SS b) {
            Set<String> rest = minus(a.value(), b.value());
            return rest.isEmpty() ? null : new AttributeValue.SS(rest);
        }
        if (current instanceof AttributeValue.NS a && operand instanceof AttributeValue.NS b) {
            Set<BigDecimal> rest = minus(a.value(), b.value());
            return rest.isEmpty() ? null : new AttributeValue.NS(rest);
        }
        if (current instanceof AttributeValue.BS a && operand instanceof AttributeValue.BS b) {
            Set<AttributeValue.B> rest = minus(a.value(), b.value());
            return rest.isEmpty() ? null : new AttributeValue.BS(rest);
        }
        throw new ExpressionException(WRONG_TYPE);
    }

    static boolean isSet(AttributeValue value) {
        return value instanceof AttributeValue.SS || value instanceof AttributeValue.NS || value instanceof AttributeValue.BS;
    }

    private static <T> Set<T> union(Set<T> a, Set<T> b) {
        Set<T> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static <T> Set<T> minus(Set<T> a, Set<T> b) {
        Set<T> rest = new LinkedHashSet<>(a);
        rest.removeAll(b);
        return rest;
    }

    /** Writes {@code value} at {@code path}: the parent of a nested path must exist and be a map (a key) or a list (an index). */
    private static void put(Map<String, AttributeValue> item, List<PathElement> path, AttributeValue value) {
        String top = ((PathElement.Attribute) path.get(0)).name();
        if (path.size() == 1) {
            item.put(top, value);
            return;
        }
        AttributeValue container = item.get(top);
        if (container == null) throw new ExpressionException(BAD_PATH);
        item.put(top, withPut(container, path.subList(1, path.size()), value));
    }

    private static AttributeValue withPut(AttributeValue container, List<PathElement> rest, AttributeValue value) {
        PathElement step = rest.get(0);
        boolean last = rest.size() == 1;
        if (step instanceof PathElement.Attribute key && container instanceof AttributeValue.M m) {
            Map<String, AttributeValue> copy = new LinkedHashMap<>(m.value());
            if (last) {
                copy.put(key.name(), value);
            } else {
                AttributeValue child = copy.get(key.name());
                if (child == null) throw new ExpressionException(BAD_PATH);
                copy.put(key.name(), withPut(child, rest.subList(1, rest.size()), value));
            }
            return new AttributeValue.M(copy);
        }
        if (step instanceof PathElement.Index index && container instanceof AttributeValue.L l) {
            List<AttributeValue> copy = new ArrayList<>(l.value());
            int i = index.index();
            if (last) {
                if (i < copy.size()) copy.set(i, value); else copy.add(value); // past the end: appended
            } else {
                if (i >= copy.size()) throw new ExpressionException(BAD_PATH);
                copy.set(i, withPut(copy.get(i), rest.subList(1, rest.size()), value));
            }
            return new AttributeValue.L(copy);
        }
        throw new ExpressionException(BAD_PATH);
    }

    /**
     * Removes what is at {@code path}; nothing there is no change. The parent of a nested path
     * must exist and be of the step's kind.
     */
    private static void remove(Map<String, AttributeValue> item, List<PathElement> path) {
        String top = ((PathElement.Attribute) path.get(0)).name();
        if (path.size() == 1) {
            item.remove(top);
            return;
        }
        checkParent(item, path);
        AttributeValue container = item.get(top);
        if (container == null) return;
        AttributeValue changed = withRemoved(container, path.subList(1, path.size()));
        if (changed != null) item.put(top, changed);
    }

    /** The container without what is at {@code rest}; null when there was nothing there. */
    private static AttributeValue withRemoved(AttributeValue container, List<PathElement> rest) {
        PathElement step = rest.get(0);
        boolean last = rest.size() == 1;
        if (step instanceof PathElement.Attribute key && container instanceof AttributeValue.M m) {
            AttributeValue child = m.value().get(key.name());
            if (child == null) return null;
            Map<String, AttributeValue> copy = new LinkedHashMap<>(m.value());
            if (last) {
                copy.remove(key.name());
            } else {
                AttributeValue changed = withRemoved(child, rest.subList(1, rest.size()));
                if (changed == null) return null;
                copy.put(key.name(), changed);
            }
            return new AttributeValue.M(copy);
        }
        if (step instanceof PathElement.Index index && container instanceof AttributeValue.L l) {
            int i = index.index();
            if (i >= l.value().size()) return null;
            List<AttributeValue> copy = new ArrayList<>(l.value());
            if (last) {
                copy.remove(i);
            } else {
                AttributeValue changed = withRemoved(copy.get(i), rest.subList(1, rest.size()));
                if (changed == null) return null;
                copy.set(i, changed);
            }
            return new AttributeValue.L(copy);
        }
        return null;
    }
}
