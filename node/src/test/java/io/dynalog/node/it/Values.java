package io.dynalog.node.it;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Short names for the attribute values the integration tests write. */
final class Values {
    private Values() {}

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(String v) {
        return AttributeValue.fromN(v);
    }
}
