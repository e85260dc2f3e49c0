package io.dynalog.api.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dynalog.api.ApiException;
import io.dynalog.api.ErrorType;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ValidationErrorsTest {

    @Test
    void noViolationsMeansNoException() {
        ValidationErrors errors = new ValidationErrors();
        assertThat(errors.isEmpty()).isTrue();
        assertThat(errors.toException()).isNull();
        errors.throwIfAny();
    }

    @Test
    void oneViolationIsSingular() {
        ValidationErrors errors = new ValidationErrors();
        errors.violation("Limit", JsonNodeFactory.instance.numberNode(0), "Member must have value greater than or equal to 1");
        ApiException e = errors.toException();
        assertThat(e.type()).isEqualTo(ErrorType.ValidationException);
        assertThat(e.getMessage()).isEqualTo("1 validation error detected: Value '0' at 'limit' failed to satisfy "
                + "constraint: Member must have value greater than or equal to 1");
    }

    @Test
    void atMostTenAreReported() {
        ValidationErrors errors = new ValidationErrors();
        for (int i = 0; i < 15; i++) errors.violationAt("m" + i, null, "Member must not be null");
        assertThat(errors.size()).isEqualTo(ValidationErrors.MAX_REPORTED);
        assertThat(errors.message()).startsWith("10 validation errors detected: Value null at 'm0'").doesNotContain("'m10'");
    }

    @Test
    void valuesAreEchoedAsDynamoDbEchoesThem() throws IOException {
        ValidationErrors errors = new ValidationErrors();
        errors.violation("AttributesToGet", Json.mapper().readTree("[\"a\",\"b\"]"), "c1");
        errors.violation("Key", Json.mapper().readTree("{\"a\":{\"S\":\"x\"}}"), "c2");
        errors.violation("Flag", Json.mapper().readTree("true"), "c3");
        assertThat(errors.message()).isEqualTo("3 validation errors detected: "
                + "Value '[a, b]' at 'attributesToGet' failed to satisfy constraint: c1; "
                + "Value '{\"a\":{\"S\":\"x\"}}' at 'key' failed to satisfy constraint: c2; "
                + "Value 'true' at 'flag' failed to satisfy constraint: c3");
    }

    @Test
    void viewsShareOneCollectionUnderTheirPath() {
        ValidationErrors errors = new ValidationErrors();
        ValidationErrors index = errors.within("globalSecondaryIndexes.1.member");
        ValidationErrors projection = index.within("projection");
        projection.violation("ProjectionType", null, "Member must not be null");
        errors.violation("TableName", null, "Member must not be null");
        assertThat(index.size()).isEqualTo(2);
        assertThat(errors.message()).isEqualTo("2 validation errors detected: "
                + "Value null at 'globalSecondaryIndexes.1.member.projection.projectionType' failed to satisfy constraint: Member must not be null; "
                + "Value null at 'tableName' failed to satisfy constraint: Member must not be null");
    }
}
