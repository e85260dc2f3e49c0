package io.dynalog.expression;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReservedWordsTest {

    @Test
    void holdsDynamoDbsWholeList() {
        assertThat(ReservedWords.all()).hasSize(573)
                .contains("ABORT", "ABSOLUTE", "ACTION", "ADD", "AFTER", "AGENT", "AGGREGATE", "ALL", "ZONE",
                        "NAME", "STATUS", "DATA", "DATE", "YEAR", "TIMESTAMP", "SIZE", "TTL", "USER", "VALUE", "FLATTERN", "INNTER", "LOGED");
    }

    @Test
    void ignoresCase() {
        assertThat(ReservedWords.isReserved("name")).isTrue();
        assertThat(ReservedWords.isReserved("Status")).isTrue();
        assertThat(ReservedWords.isReserved("ZoNe")).isTrue();
    }

    @Test
    void ordinaryNamesAreNotReserved() {
        assertThat(ReservedWords.isReserved("pk")).isFalse();
        assertThat(ReservedWords.isReserved("names_1")).isFalse();
        assertThat(ReservedWords.isReserved("begins_with")).isFalse();
        assertThat(ReservedWords.isReserved("statuses")).isFalse();
    }
}
