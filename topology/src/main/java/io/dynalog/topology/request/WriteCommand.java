package io.dynalog.topology.request;

import io.dynalog.topology.model.AttributeValue;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A write an application asks for on the Kafka write path: DynamoDB's PutItem, UpdateItem,
 * DeleteItem and BatchWriteItem with their parameters as the DynamoDB API names them. Nothing here
 * is validated beyond presence: the node validates a command exactly as it validates the HTTP
 * request, and answers a bad one with DynamoDB's error.
 *
 * <p>Optional members are null when absent ({@code names} and {@code values} are the
 * ExpressionAttributeNames and ExpressionAttributeValues; {@code returnValues} DynamoDB's enum
 * name).
 */
public sealed interface WriteCommand {

    /** Every command but a batch names one table. */
    String tableName();

    record Put(String tableName, Map<String, AttributeValue> item, String conditionExpression,
               Map<String, String> names, Map<String, AttributeValue> values, String returnValues) implements WriteCommand {
        public Put {
            Objects.requireNonNull(tableName, "tableName");
            Objects.requireNonNull(item, "item");
        }
    }

    record Update(String tableName, Map<String, AttributeValue> key, String updateExpression, String conditionExpression,
                  Map<String, String> names, Map<String, AttributeValue> values, String returnValues) implements WriteCommand {
        public Update {
            Objects.requireNonNull(tableName, "tableName");
            Objects.requireNonNull(key, "key");
        }
    }

    record Delete(String tableName, Map<String, AttributeValue> key, String conditionExpression,
                  Map<String, String> names, Map<String, AttributeValue> values, String returnValues) implements WriteCommand {
        public Delete {
            Objects.requireNonNull(tableName, "tableName");
            Objects.requireNonNull(key, "key");
        }
    }

    /** BatchWriteItem; write {@code i} carries the token {@code <requestToken>#<i>} to its leader. */
    record BatchWrite(List<BatchEntry> requests) implements WriteCommand {
        public BatchWrite {
            requests = List.copyOf(requests);
        }

        /** A batch spans tables: null. */
        @Override
        public String tableName() {
            return null;
        }
    }

    /** One write of a batch: a put of {@code item} or a delete of {@code key} (exactly one is set). */
    record BatchEntry(String tableName, Map<String, AttributeValue> item, Map<String, AttributeValue> key) {
        public BatchEntry {
            Objects.requireNonNull(tableName, "tableName");
            if ((item == null) == (key == null)) throw new IllegalArgumentException("a batch entry is a put or a delete");
        }

        public static BatchEntry put(String tableName, Map<String, AttributeValue> item) {
            return new BatchEntry(tableName, item, null);
        }

        public static BatchEntry delete(String tableName, Map<String, AttributeValue> key) {
            return new BatchEntry(tableName, null, key);
        }

        public boolean isPut() {
            return item != null;
        }
    }
}
