package io.dynalog.expression;

import static io.dynalog.expression.Fixtures.map;
import static io.dynalog.expression.Fixtures.n;
import static io.dynalog.expression.Fixtures.s;
import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/**
 * Properties of the parser: it fails only with {@link ExpressionException} whatever it is given, and
 * any condition tree written out as text (with the parentheses precedence needs, and others at
 * random) parses back to the same tree.
 */
class ConditionParserPropertyTest {

    private static final Map<String, String> NAMES = map("#n", "name", "#k", "pk");
    private static final Map<String, AttributeValue> VALUES = map(":v", s("x"), ":w", s("y"), ":lo", n("1"), ":hi", n("9"));
    private static final List<Operand.ValueRef> VALUE_REFS = List.of(
            new Operand.ValueRef(":v", s("x")), new Operand.ValueRef(":w", s("y")),
            new Operand.ValueRef(":lo", n("1")), new Operand.ValueRef(":hi", n("9")));
    private static final KeySchema SCHEMA = KeySchema.hashRange("pk", ScalarType.S, "sk", ScalarType.N);
    private static final List<ExpressionKind> CONDITION_KINDS =
            List.of(ExpressionKind.KEY_CONDITION, ExpressionKind.CONDITION, ExpressionKind.FILTER);

    // ---------------------------------------------------------------- never anything but ExpressionException

    @Property(tries = 3000)
    void tokenSoupFailsOnlyWithExpressionException(@ForAll("tokenSoup") String text) {
        parseEveryWay(text);
    }

    @Property(tries = 1000)
    void anyTextFailsOnlyWithExpressionException(@ForAll @StringLength(max = 60) String text) {
        parseEveryWay(text);
    }

    private static void parseEveryWay(String text) {
        for (ExpressionKind kind : CONDITION_KINDS) {
            try {
                ConditionParser.parse(kind, text, NAMES, VALUES);
            } catch (ExpressionException e) {
                assertThat(e.getMessage()).startsWith("Invalid " + kind.parameterName() + ": ");
            }
        }
        try {
            KeyConditions.parse(text, NAMES, VALUES, SCHEMA);
        } catch (ExpressionException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> tokenSoup() {
        Arbitrary<String> token = Arbitraries.of(
                "a", "pk", "sk", "name", "b.c", "#n", "#k", "#x", ":v", ":w", ":lo", ":hi", ":x",
                "AND", "or", "NOT", "between", "IN", "=", "<>", "<", "<=", ">", ">=", "(", ")", "((", "))", "[", "]", "0", "12",
                ",", ".", "begins_with", "size", "attribute_exists", "attribute_type", "contains", "foo", "_", "-", "+", "!",
                "#", ":", "%", "é", "99999999999");
        Arbitrary<String> separator = Arbitraries.of(" ", "", "\n");
        return Combinators.combine(token, separator).as(String::concat).list().ofMaxSize(30).map(parts -> String.join("", parts));
    }

    // ---------------------------------------------------------------- text round trip

    @Property(tries = 1000)
    void writtenConditionsParseBackToTheSameTree(@ForAll("conditions") Condition condition, @ForAll long seed) {
        String text = new Writer(new Random(seed)).condition(condition, 0);
        assertThat(parseOrDescribe(ExpressionKind.FILTER, text).condition()).as(text).isEqualTo(condition);
    }

    private static ConditionExpression parseOrDescribe(ExpressionKind kind, String text) {
        try {
            return ConditionParser.parse(kind, text, NAMES, VALUES);
        } catch (ExpressionException e) {
            throw new AssertionError("cannot parse <" + text + ">", e);
        }
    }

    @Property(tries = 500)
    void writtenKeyConditionsResolveToTheirKeys(@ForAll("sortConditions") SortKeyCondition sort,
                                               @ForAll boolean sortFirst, @ForAll long seed) {
        Random random = new Random(seed);
        Writer writer = new Writer(random);
        String partition = writer.wrap("#k = :p");
        String text = sort == null ? partition
                : sortFirst ? writer.wrap(writer.sortCondition(sort)) + " AND " + partition
                : partition + " and " + writer.wrap(writer.sortCondition(sort));
        Map<String, AttributeValue> values = map(":p", s("part"), ":lo", n("1"), ":hi", n("9"));
        KeyCondition key = KeyConditions.parse(text, NAMES, values, SCHEMA);
        assertThat(key).as(text).isEqualTo(new KeyCondition(s("part"), sort));
    }

    @Provide
    Arbitrary<SortKeyCondition> sortConditions() {
        return Arbitraries.of(SortKeyCondition.Op.values()).filter(op -> op != SortKeyCondition.Op.BEGINS_WITH)
                .map(op -> op == SortKeyCondition.Op.BETWEEN
                        ? new SortKeyCondition(op, n("1"), n("9"))
                        : new SortKeyCondition(op, n("1"), null))
                .injectNull(0.2);
    }

    @Provide
    Arbitrary<Condition> conditions() {
        return Arbitraries.recursive(this::leaf, inner -> Arbitraries.oneOf(
                inner,
                Combinators.combine(inner, inner).as(Condition.And::new),
                Combinators.combine(inner, inner).as(Condition.Or::new),
                inner.map(Condition.Not::new)), 0, 5);
    }

    private Arbitrary<Condition> leaf() {
        Arbitrary<Operand.ValueRef> value = Arbitraries.of(VALUE_REFS);
        Arbitrary<Comparator> comparator = Arbitraries.of(Comparator.values());
        return Arbitraries.oneOf(
                Combinators.combine(path(), comparator, value).as((p, c, v) -> new Condition.Comparison(c, p, v)),
                Combinators.combine(value, comparator, path()).as((v, c, p) -> new Condition.Comparison(c, v, p)),
                Combinators.combine(path(), comparator, value).as((p, c, v) ->
                        new Condition.Comparison(c, new Operand.FunctionCall(ExpressionFunction.SIZE, List.of(p)), v)),
                path().map(p -> new Condition.Between(p, VALUE_REFS.get(2), VALUE_REFS.get(3))),
                Combinators.combine(path(), value.list().ofMinSize(1).ofMaxSize(3)).as((p, vs) -> new Condition.In(p, List.copyOf(vs))),
                Combinators.combine(Arbitraries.of(ExpressionFunction.ATTRIBUTE_EXISTS, ExpressionFunction.ATTRIBUTE_NOT_EXISTS), path())
                        .as((f, p) -> new Condition.FunctionCondition(new Operand.FunctionCall(f, List.of(p)))),
                Combinators.combine(Arbitraries.of(ExpressionFunction.BEGINS_WITH, ExpressionFunction.CONTAINS), path())
                        .as((f, p) -> new Condition.FunctionCondition(new Operand.FunctionCall(f, List.of(p, VALUE_REFS.get(0))))));
    }

    private Arbitrary<Operand.Path> path() {
        Arbitrary<PathElement> name = Arbitraries.of("a", "b2", "c_d", "Xy", "name", "pk").map(PathElement.Attribute::new);
        Arbitrary<PathElement> step = Arbitraries.oneOf(name, Arbitraries.integers().between(0, 20).map(PathElement.Index::new));
        return Combinators.combine(name, step.list().ofMaxSize(2)).as((head, tail) -> {
            List<PathElement> elements = new ArrayList<>();
            elements.add(head);
            elements.addAll(tail);
            return new Operand.Path(elements);
        });
    }

    /**
     * Writes a condition as text: the parentheses precedence needs, extra ones at random (never
     * redundant ones), keywords in random case, random whitespace, {@code #placeholders} for the
     * reserved word and for {@code pk}.
     */
    private static final class Writer {

        private static final int OR = 0;
        private static final int AND = 1;
        private static final int NOT = 2;
        private static final int LEAF = 3;

        private final Random random;

        Writer(Random random) {
            this.random = random;
        }

        /** Writes {@code c} where its precedence must be at least {@code minLevel}. */
        String condition(Condition c, int minLevel) {
            int level;
            String text;
            if (c instanceof Condition.Or or) {
                level = OR;
                text = condition(or.left(), OR) + space() + keyword("OR") + space() + condition(or.right(), AND);
            } else if (c instanceof Condition.And and) {
                level = AND;
                text = condition(and.left(), AND) + space() + keyword("AND") + space() + condition(and.right(), NOT);
            } else if (c instanceof Condition.Not not) {
                level = NOT;
                text = keyword("NOT") + space() + condition(not.operand(), NOT);
            } else {
                level = LEAF;
                text = leaf(c);
            }
            return level < minLevel ? "(" + text + ")" : maybeWrap(text);
        }

        String sortCondition(SortKeyCondition sort) {
            return switch (sort.op()) {
                case EQ -> "sk = :lo";
                case LT -> random.nextBoolean() ? "sk < :lo" : ":lo > sk";
                case LE -> random.nextBoolean() ? "sk <= :lo" : ":lo >= sk";
                case GT -> random.nextBoolean() ? "sk > :lo" : ":lo < sk";
                case GE -> random.nextBoolean() ? "sk >= :lo" : ":lo <= sk";
                case BETWEEN -> "sk " + keyword("BETWEEN") + " :lo " + keyword("AND") + " :hi";
                case BEGINS_WITH -> throw new IllegalArgumentException("not generated");
            };
        }

        String wrap(String text) {
            return maybeWrap(text);
        }

        private String leaf(Condition c) {
            if (c instanceof Condition.Comparison cmp) {
                return operand(cmp.left()) + space() + cmp.comparator().symbol() + space() + operand(cmp.right());
            } else if (c instanceof Condition.Between b) {
                return operand(b.subject()) + space() + keyword("BETWEEN") + space() + operand(b.lower()) + space()
                        + keyword("AND") + space() + operand(b.upper());
            } else if (c instanceof Condition.In in) {
                List<String> candidates = in.candidates().stream().map(this::operand).toList();
                return operand(in.subject()) + space() + keyword("IN") + space() + "(" + String.join("," + space(), candidates) + ")";
            } else if (c instanceof Condition.FunctionCondition f) {
                return call(f.call());
            }
            throw new IllegalArgumentException("not a leaf: " + c);
        }

        private String operand(Operand operand) {
            String text;
            if (operand instanceof Operand.Path p) {
                StringBuilder b = new StringBuilder();
                for (PathElement e : p.elements()) {
                    if (e instanceof PathElement.Attribute a) {
                        if (b.length() > 0) b.append('.');
                        b.append(a.name().equals("name") ? "#n" : a.name().equals("pk") ? "#k" : a.name());
                    } else {
                        b.append('[').append(((PathElement.Index) e).index()).append(']');
                    }
                }
                text = b.toString();
            } else if (operand instanceof Operand.ValueRef v) {
                text = v.placeholder();
            } else {
                text = call((Operand.FunctionCall) operand);
            }
            return random.nextInt(8) == 0 ? maybeWrap(text) : text;
        }

        private String call(Operand.FunctionCall call) {
            List<String> args = call.arguments().stream().map(this::operand).toList();
            return call.function().functionName() + (random.nextBoolean() ? "" : " ") + "(" + String.join(", ", args) + ")";
        }

        private String keyword(String keyword) {
            return switch (random.nextInt(3)) {
                case 0 -> keyword;
                case 1 -> keyword.toLowerCase();
                default -> keyword.charAt(0) + keyword.substring(1).toLowerCase();
            };
        }

        private String space() {
            return switch (random.nextInt(4)) {
                case 0 -> "  ";
                case 1 -> "\n";
                case 2 -> "\t ";
                default -> " ";
            };
        }

        /** Wraps in parentheses now and then, unless the text is one parenthesised group already. */
        private String maybeWrap(String text) {
            if (random.nextInt(5) != 0 || isOneGroup(text)) return text;
            return "(" + text + ")";
        }

        private static boolean isOneGroup(String text) {
            if (!text.startsWith("(")) return false;
            int depth = 0;
            for (int i = 0; i < text.length(); i++) {
                char ch = text.charAt(i);
                if (ch == '(') depth++;
                if (ch == ')' && --depth == 0) return i == text.length() - 1;
            }
            return false;
        }
    }
}
