package io.dynalog.node.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.AttributeValueUpdate;
import software.amazon.awssdk.services.dynamodb.model.Condition;
import software.amazon.awssdk.services.dynamodb.model.ExpectedAttributeValue;

/**
 * Random expressions, items and placeholders over a small universe of attribute names, so that
 * random conditions and updates often meet the attributes random items have (and often do not).
 *
 * <p>One instance builds one request: {@link #names} and {@link #values} collect the placeholders
 * the generated expressions use. Some requests are made invalid on purpose ({@link #spoil}); the
 * differential test requires both systems to refuse them with the same error type.
 */
final class RandomRequests {
    /** Top-level names; {@code status} and {@code year} are reserved words, reached through placeholders. */
    private static final String[] TOP = {"a", "b", "c", "l", "m", "ss", "ns", "nul", "status", "year"};
    private static final String[] STRINGS = {"", "x", "xy", "ab", "b", "abc", "Z"};
    private static final String[] TYPES = {"S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"};

    final Random random;
    final Map<String, String> names = new LinkedHashMap<>();
    final Map<String, AttributeValue> values = new LinkedHashMap<>();
    private final boolean hasSortKey;

    RandomRequests(Random random, boolean hasSortKey) {
        this.random = random;
        this.hasSortKey = hasSortKey;
    }

    // ---- items ----

    Map<String, AttributeValue> key() {
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        key.put("pk", AttributeValue.fromS("p" + random.nextInt(3)));
        if (hasSortKey) key.put("sk", AttributeValue.fromN(Integer.toString(random.nextInt(5))));
        return key;
    }

    Map<String, AttributeValue> item() {
        Map<String, AttributeValue> item = key();
        for (String name : TOP) {
            if (random.nextInt(3) == 0) continue;
            item.put(name, valueFor(name));
        }
        return item;
    }

    /** A value of the type the attribute usually has, sometimes of another. */
    AttributeValue valueFor(String name) {
        if (random.nextInt(8) == 0) return anyValue(2);
        switch (name) {
            case "a": case "year": return number();
            case "b": case "status": return AttributeValue.fromS(pick(STRINGS));
            case "c": return AttributeValue.fromBool(random.nextBoolean());
            case "l": return list(2);
            case "m": return map(2);
            case "ss": return stringSet();
            case "ns": return numberSet();
            default: return AttributeValue.fromNul(true);
        }
    }

    AttributeValue anyValue(int depth) {
        int kind = random.nextInt(depth > 0 ? 10 : 7);
        switch (kind) {
            case 0: case 1: return number();
            case 2: case 3: return AttributeValue.fromS(pick(STRINGS));
            case 4: return AttributeValue.fromBool(random.nextBoolean());
            case 5: return random.nextBoolean() ? stringSet() : numberSet();
            case 6: return random.nextInt(4) == 0 ? AttributeValue.fromNul(true)
                    : AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {(byte) random.nextInt(3)}));
            case 7: case 8: return list(depth - 1);
            default: return map(depth - 1);
        }
    }

    AttributeValue number() {
        int n = random.nextInt(9) - 3;
        return AttributeValue.fromN(random.nextInt(6) == 0 ? n + ".5" : Integer.toString(n));
    }

    AttributeValue stringSet() {
        List<String> members = new ArrayList<>();
        for (String s : STRINGS) {
            if (!s.isEmpty() && random.nextInt(3) == 0) members.add(s);
        }
        if (members.isEmpty()) members.add("x");
        return AttributeValue.fromSs(members);
    }

    AttributeValue numberSet() {
        List<String> members = new ArrayList<>();
        for (int i = -1; i < 4; i++) {
            if (random.nextInt(3) == 0) members.add(Integer.toString(i));
        }
        if (members.isEmpty()) members.add("1");
        return AttributeValue.fromNs(members);
    }

    AttributeValue list(int depth) {
        List<AttributeValue> elements = new ArrayList<>();
        int size = random.nextInt(4);
        for (int i = 0; i < size; i++) elements.add(depth > 0 ? anyValue(depth - 1) : number());
        return AttributeValue.fromL(elements);
    }

    AttributeValue map(int depth) {
        Map<String, AttributeValue> members = new LinkedHashMap<>();
        if (random.nextBoolean()) members.put("f", number());
        if (random.nextBoolean()) members.put("g", AttributeValue.fromS(pick(STRINGS)));
        if (random.nextBoolean()) members.put("h", depth > 0 ? list(depth - 1) : AttributeValue.fromL(List.of()));
        return AttributeValue.fromM(members);
    }

    // ---- paths and operands ----

    /** A document path written with placeholders where a name needs one. */
    String path(boolean mayBeKey) {
        if (mayBeKey && random.nextInt(10) == 0) return hasSortKey && random.nextBoolean() ? "sk" : "pk";
        int shape = random.nextInt(10);
        if (shape < 6) return topName(pick(TOP));
        if (shape < 8) return "m." + pick(new String[] {"f", "g", "h"}) + (random.nextInt(3) == 0 ? "[" + random.nextInt(2) + "]" : "");
        return "l[" + random.nextInt(3) + "]" + (random.nextInt(4) == 0 ? ".f" : "");
    }

    String topName(String name) {
        if (name.equals("status") || name.equals("year") || random.nextInt(5) == 0) {
            String placeholder = "#" + name;
            names.put(placeholder, name);
            return placeholder;
        }
        return name;
    }

    String value(AttributeValue value) {
        String placeholder = ":v" + values.size();
        values.put(placeholder, value);
        return placeholder;
    }

    String operand() {
        return random.nextInt(3) == 0 ? path(true) : value(anyValue(1));
    }

    // ---- conditions ----

    String condition(int depth) {
        if (depth == 0 || random.nextInt(5) < 3) return atom();
        switch (random.nextInt(4)) {
            case 0: return condition(depth - 1) + " AND " + condition(depth - 1);
            case 1: return condition(depth - 1) + " OR " + condition(depth - 1);
            case 2: return "NOT " + condition(depth - 1);
            default: return "(" + condition(depth - 1) + ")";
        }
    }

    private String atom() {
        String[] comparators = {"=", "<>", "<", "<=", ">", ">="};
        switch (random.nextInt(11)) {
            case 0: case 1: return path(true) + " " + pick(comparators) + " " + operand();
            case 2: return path(true) + " BETWEEN " + value(number()) + " AND " + value(number());
            case 3: return path(true) + " IN (" + operand() + ", " + value(anyValue(0)) + ")";
            case 4: return "attribute_exists(" + path(true) + ")";
            case 5: return "attribute_not_exists(" + path(true) + ")";
            case 6: return "attribute_type(" + path(true) + ", " + value(AttributeValue.fromS(pick(TYPES))) + ")";
            case 7: return "begins_with(" + path(true) + ", " + value(AttributeValue.fromS(pick(STRINGS))) + ")";
            case 8: return "contains(" + path(true) + ", " + value(random.nextBoolean() ? AttributeValue.fromS(pick(STRINGS)) : number()) + ")";
            default: return "size(" + path(true) + ") " + pick(comparators) + " " + value(number());
        }
    }

    // ---- updates ----

    String update() {
        List<String> clauses = new ArrayList<>();
        int actions = 1 + random.nextInt(3);
        List<String> set = new ArrayList<>();
        List<String> remove = new ArrayList<>();
        List<String> add = new ArrayList<>();
        List<String> delete = new ArrayList<>();
        for (int i = 0; i < actions; i++) {
            switch (random.nextInt(7)) {
                case 0: case 1: case 2: set.add(path(false) + " = " + setValue()); break;
                case 3: remove.add(path(false)); break;
                case 4: case 5: add.add(path(false) + " " + value(random.nextInt(3) == 0 ? stringSet() : random.nextInt(4) == 0 ? numberSet() : number())); break;
                default: delete.add(path(false) + " " + value(random.nextBoolean() ? stringSet() : numberSet()));
            }
        }
        if (!set.isEmpty()) clauses.add("SET " + String.join(", ", set));
        if (!remove.isEmpty()) clauses.add("REMOVE " + String.join(", ", remove));
        if (!add.isEmpty()) clauses.add("ADD " + String.join(", ", add));
        if (!delete.isEmpty()) clauses.add("DELETE " + String.join(", ", delete));
        java.util.Collections.shuffle(clauses, random);
        return String.join(" ", clauses);
    }

    private String setValue() {
        switch (random.nextInt(8)) {
            case 0: case 1: case 2: return value(anyValue(1));
            case 3: return path(false);
            case 4: return setOperand() + (random.nextBoolean() ? " + " : " - ") + setOperand();
            case 5: return "if_not_exists(" + path(false) + ", " + value(anyValue(1)) + ")";
            default: return "list_append(" + listOperand() + ", " + listOperand() + ")";
        }
    }

    private String setOperand() {
        return random.nextInt(3) == 0 ? path(false) : value(number());
    }

    private String listOperand() {
        return random.nextInt(2) == 0 ? path(false) : value(list(1));
    }

    // ---- projections ----

    String projection() {
        List<String> paths = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) paths.add(path(true));
        return String.join(", ", paths);
    }

    // ---- the legacy (pre-expression) parameters ----

    private static final String[] OPERATORS = {"EQ", "NE", "IN", "LE", "LT", "GE", "GT", "BETWEEN", "NOT_NULL", "NULL",
        "CONTAINS", "NOT_CONTAINS", "BEGINS_WITH"};

    /** An Expected map: Value / Exists clauses and ComparisonOperator clauses, sometimes invalid ones. */
    Map<String, ExpectedAttributeValue> expected() {
        Map<String, ExpectedAttributeValue> expected = new LinkedHashMap<>();
        int count = 1 + random.nextInt(2);
        for (int i = 0; i < count; i++) {
            String name = legacyName();
            ExpectedAttributeValue.Builder b = ExpectedAttributeValue.builder();
            switch (random.nextInt(6)) {
                case 0: b.exists(false); break;
                case 1: b.value(valueFor(name)); break;
                case 2: b.value(valueFor(name)).exists(true); break;
                case 3: if (random.nextInt(4) == 0) b.exists(random.nextBoolean()); else b.value(valueFor(name)).exists(false); break;
                default: {
                    LegacyCondition c = legacyCondition(name);
                    b.comparisonOperator(c.operator).attributeValueList(c.arguments);
                    if (random.nextInt(12) == 0) b.exists(true);
                }
            }
            expected.put(name, b.build());
        }
        return expected;
    }

    /** A QueryFilter or ScanFilter map. */
    Map<String, Condition> legacyFilter() {
        Map<String, Condition> filter = new LinkedHashMap<>();
        int count = 1 + random.nextInt(2);
        for (int i = 0; i < count; i++) {
            String name = legacyName();
            LegacyCondition c = legacyCondition(name);
            filter.put(name, Condition.builder().comparisonOperator(c.operator).attributeValueList(c.arguments).build());
        }
        return filter;
    }

    /** KeyConditions on the partition key, sometimes with one on the sort key, sometimes invalid. */
    Map<String, Condition> keyConditions(String partition) {
        Map<String, Condition> conditions = new LinkedHashMap<>();
        conditions.put("pk", Condition.builder().comparisonOperator(random.nextInt(15) == 0 ? "GT" : "EQ")
                .attributeValueList(AttributeValue.fromS(partition)).build());
        if (random.nextBoolean()) {
            String[] operators = {"EQ", "LE", "LT", "GE", "GT", "BETWEEN", "BETWEEN", "BEGINS_WITH", "NE"};
            String operator = random.nextInt(5) == 0 ? pick(operators) : pick(new String[] {"EQ", "LE", "LT", "GE", "GT", "BETWEEN"});
            List<AttributeValue> arguments = new ArrayList<>();
            arguments.add(number());
            if (operator.equals("BETWEEN")) arguments.add(number());
            conditions.put("sk", Condition.builder().comparisonOperator(operator).attributeValueList(arguments).build());
        }
        return conditions;
    }

    /** An AttributeUpdates map: PUT, ADD and DELETE, with and without values, sometimes invalid ones. */
    Map<String, AttributeValueUpdate> attributeUpdates() {
        Map<String, AttributeValueUpdate> updates = new LinkedHashMap<>();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            String name = random.nextInt(20) == 0 ? "pk" : legacyName();
            AttributeValueUpdate.Builder b = AttributeValueUpdate.builder();
            switch (random.nextInt(8)) {
                case 0: case 1: b.action("PUT").value(valueFor(name)); break;
                case 2: b.value(valueFor(name)); break;
                case 3: b.action("DELETE"); break;
                case 4: b.action("DELETE").value(random.nextInt(4) == 0 ? anyValue(0) : random.nextBoolean() ? stringSet() : numberSet()); break;
                case 5: b.action("ADD").value(random.nextInt(3) == 0 ? list(1) : number()); break;
                case 6: b.action("ADD").value(random.nextInt(4) == 0 ? anyValue(1) : random.nextBoolean() ? stringSet() : numberSet()); break;
                default: b.action(random.nextInt(3) == 0 ? "PUT" : "ADD");
            }
            updates.put(name, b.build());
        }
        return updates;
    }

    /** AttributesToGet: top-level names, literally. */
    List<String> attributesToGet() {
        List<String> names = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            String name = legacyName();
            if (!names.contains(name)) names.add(name);
        }
        return names;
    }

    private String legacyName() {
        if (random.nextInt(12) == 0) return hasSortKey && random.nextBoolean() ? "sk" : "pk";
        return random.nextInt(15) == 0 ? "m.f" : pick(TOP);
    }

    private record LegacyCondition(String operator, List<AttributeValue> arguments) {}

    private LegacyCondition legacyCondition(String name) {
        String operator = random.nextInt(40) == 0 ? "FOO" : pick(OPERATORS);
        int count;
        switch (operator) {
            case "NULL": case "NOT_NULL": count = 0; break;
            case "BETWEEN": count = 2; break;
            case "IN": count = 1 + random.nextInt(3); break;
            default: count = 1;
        }
        if (random.nextInt(15) == 0) count = random.nextInt(3);
        List<AttributeValue> arguments = new ArrayList<>();
        boolean numbers = random.nextBoolean();
        // CONTAINS and NOT_CONTAINS get only the types they take: DynamoDB Local checks theirs only
        // when it meets the attribute in an item, DynamoDB (and Dynalog) with the request.
        boolean anyType = !operator.endsWith("CONTAINS");
        for (int i = 0; i < count; i++) {
            if (anyType && random.nextInt(8) == 0) arguments.add(anyValue(1));
            else arguments.add(numbers ? number() : AttributeValue.fromS(pick(STRINGS)));
        }
        return new LegacyCondition(operator, arguments);
    }

    // ---- invalid requests ----

    /** How a request is made invalid on purpose, or NONE. */
    enum Spoil { NONE, UNUSED_VALUE, UNUSED_NAME, MISSING_VALUE, MISSING_NAME, RESERVED_WORD, SYNTAX }

    Spoil spoil() {
        if (random.nextInt(10) != 0) return Spoil.NONE;
        Spoil[] kinds = Spoil.values();
        return kinds[1 + random.nextInt(kinds.length - 1)];
    }

    /** Applies a spoil to an expression and the placeholders. */
    String spoiled(String expression, Spoil spoil) {
        switch (spoil) {
            case UNUSED_VALUE: values.put(":unused", AttributeValue.fromS("u")); return expression;
            case UNUSED_NAME: names.put("#unused", "u"); return expression;
            case MISSING_VALUE: return expression.contains(":v0") ? expression.replace(":v0", ":nowhere") : expression + " AND a = :nowhere";
            case MISSING_NAME: return expression.contains("a") ? expression.replaceFirst("\\ba\\b", "#nowhere") : expression;
            case RESERVED_WORD: return expression.replaceFirst("(?<![#:])\\bb\\b", "data");
            case SYNTAX: return expression + " ,";
            default: return expression;
        }
    }

    <T> T pick(T[] choices) {
        return choices[random.nextInt(choices.length)];
    }
}
