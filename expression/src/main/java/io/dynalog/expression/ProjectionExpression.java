package io.dynalog.expression;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed and resolved ProjectionExpression: the document paths to return, in the order written.
 *
 * <pre>
 *   projection := path (',' path)*
 * </pre>
 * No attribute name may be a reserved word, and no two paths may overlap or conflict.
 */
public record ProjectionExpression(String text, List<Operand.Path> paths, Set<String> usedNames) implements ParsedExpression {
    private static final ParseCache<List<Syntax.PathExpr>> CACHE = new ParseCache<>(4_096);

    public ProjectionExpression {
        Objects.requireNonNull(text, "text");
        paths = List.copyOf(paths);
        usedNames = Set.copyOf(usedNames);
    }

    @Override
    public ExpressionKind kind() {
        return ExpressionKind.PROJECTION;
    }

    @Override
    public Set<String> usedValues() {
        return Set.of();
    }

    /** The top-level attribute names the paths start with, in order. */
    public java.util.Set<String> topLevelNames() {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        for (Operand.Path path : paths) names.add(((PathElement.Attribute) path.elements().get(0)).name());
        return names;
    }

    /** @throws ExpressionException with DynamoDB's message when the expression is invalid */
    public static ProjectionExpression parse(String text, Map<String, String> names) {
        ExpressionText.check(ExpressionKind.PROJECTION, text);
        List<Syntax.PathExpr> raw = CACHE.get(text);
        if (raw == null) {
            TokenStream tokens = new TokenStream(text, ExpressionKind.PROJECTION);
            raw = new ArrayList<>();
            do {
                raw.add(Syntax.checkedPath(tokens));
            } while (tokens.accept(Token.Type.COMMA));
            if (!tokens.at(Token.Type.EOF)) throw tokens.syntaxError();
            tokens.throwRecorded();
            CACHE.put(text, List.copyOf(raw));
        }
        Resolver resolver = new Resolver(ExpressionKind.PROJECTION, names, null);
        List<Operand.Path> paths = new ArrayList<>();
        for (Syntax.PathExpr p : raw) paths.add((Operand.Path) resolver.operand(p));
        PathOverlaps.check(ExpressionKind.PROJECTION, paths);
        return new ProjectionExpression(text, paths, resolver.usedNames());
    }
}
