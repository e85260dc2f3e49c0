package io.dynalog.expression;

import java.util.Objects;

/** One step of a document path: an attribute (or map key) name, or a list index. */
public sealed interface PathElement {

    /** An attribute name at the top level, a map key below it; already resolved from any {@code #placeholder}. */
    record Attribute(String name) implements PathElement {
        public Attribute {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A list index, {@code [n]}. */
    record Index(int index) implements PathElement {
        public Index {
            if (index < 0) throw new IllegalArgumentException("negative list index " + index);
        }

        @Override
        public String toString() {
            return "[" + index + "]";
        }
    }
}
