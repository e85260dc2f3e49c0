package io.dynalog.topology.model;

/** The types a key attribute may have (DynamoDB's ScalarAttributeType). */
public enum ScalarType {
    S, N, B;

    public AttributeValue.Type valueType() {
        return switch (this) {
            case S -> AttributeValue.Type.S;
            case N -> AttributeValue.Type.N;
            case B -> AttributeValue.Type.B;
        };
    }

    /** Parses DynamoDB's name, or returns null for anything else. */
    public static ScalarType parse(String name) {
        if (name == null) return null;
        return switch (name) {
            case "S" -> S;
            case "N" -> N;
            case "B" -> B;
            default -> null;
        };
    }
}
