package io.dynalog.expression;

import java.util.List;

/** The rule update and projection expressions share on their document paths. */
final class PathOverlaps {
    private PathOverlaps() {}

    /**
     * No two paths may be the same or one inside the other (they overlap), nor take a map key and
     * a list index at the same place (they conflict).
     */
    static void check(ExpressionKind kind, List<Operand.Path> paths) {
        for (int i = 0; i < paths.size(); i++) {
            for (int j = i + 1; j < paths.size(); j++) {
                List<PathElement> a = paths.get(i).elements();
                List<PathElement> b = paths.get(j).elements();
                int common = Math.min(a.size(), b.size());
                int same = 0;
                while (same < common && a.get(same).equals(b.get(same))) same++;
                if (same < common && (a.get(same) instanceof PathElement.Index) != (b.get(same) instanceof PathElement.Index)) {
                    throw kind.invalid("Two document paths conflict with each other; must remove or rewrite one of these paths; path one: "
                            + paths.get(i) + ", path two: " + paths.get(j));
                }
                if (same == common) {
                    throw kind.invalid("Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "
                            + paths.get(i) + ", path two: " + paths.get(j));
                }
            }
        }
    }
}
