package io.dynalog.expression;

import io.dynalog.topology.model.AttributeValue;
import java.util.Objects;

/**
 * What a Query's KeyConditionExpression selects: the one partition key value, and optionally a
 * condition on the sort key (null when the query reads the whole partition).
 */
public record KeyCondition(AttributeValue partitionKeyValue, SortKeyCondition sortCondition) {

    public KeyCondition {
        Objects.requireNonNull(partitionKeyValue, "partitionKeyValue");
    }

    public boolean hasSortCondition() {
        return sortCondition != null;
    }
}
