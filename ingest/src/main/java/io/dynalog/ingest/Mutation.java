package io.dynalog.ingest;

import io.dynalog.topology.model.AttributeValue;
import java.util.Map;

/**
 * What a write does to one item, decided at the leader against the item's chosen state.
 *
 * <p>The leader calls {@link #resolve} once, when every earlier write to the same item has been
 * chosen, with the item as it then is; the result becomes the entry's new image. A mutation that
 * rejects the write (a failed condition, an invalid update) throws: the exception is the write's
 * outcome and nothing is appended.
 */
@FunctionalInterface
public interface Mutation {
    Result resolve(Map<String, AttributeValue> current);

    /** The item after the write: {@code newImage} null deletes it; {@code changed} false appends nothing. */
    record Result(Map<String, AttributeValue> newImage, boolean changed) {
        public static Result put(Map<String, AttributeValue> item) {
            return new Result(item, true);
        }

        public static Result delete() {
            return new Result(null, true);
        }

        /** Leaves the item as it is (for example deleting an item that does not exist). */
        public static Result unchanged(Map<String, AttributeValue> current) {
            return new Result(current, false);
        }
    }
}
