package io.dynalog.api.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.ErrorType;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ParamsTest {

    /** Declared in the order DynamoDB lists them in its message. */
    enum ReturnValue { ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text.replace('\'', '"'));
        } catch (IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private final ValidationErrors errors = new ValidationErrors();

    private static void serializationError(Runnable read, String message) {
        assertThatThrownBy(read::run)
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.SerializationException))
                .hasMessage(message);
    }

    @Test
    void requiredStrings() {
        assertThat(Params.requiredString(json("{'TableName':'abc'}"), "TableName", errors)).isEqualTo("abc");
        assertThat(errors.isEmpty()).isTrue();
        assertThat(Params.requiredString(json("{}"), "TableName", errors)).isNull();
        assertThat(errors.message()).isEqualTo(
                "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null");
    }

    @Test
    void jsonNullIsAbsent() {
        assertThat(Params.optionalString(json("{'IndexName':null}"), "IndexName", errors)).isNull();
        assertThat(Params.requiredString(json("{'TableName':null}"), "TableName", errors)).isNull();
        assertThat(errors.size()).isEqualTo(1);
    }

    @Test
    void stringsOfTheWrongJsonType() {
        serializationError(() -> Params.requiredString(json("{'TableName':5}"), "TableName", errors),
                "NUMBER_VALUE cannot be converted to String (at 'tableName')");
        serializationError(() -> Params.optionalString(json("{'TableName':{}}"), "TableName", errors),
                "Start of structure or map found where not expected. (at 'tableName')");
        serializationError(() -> Params.optionalString(json("{'TableName':[]}"), "TableName", errors),
                "Start of list found where not expected (at 'tableName')");
        serializationError(() -> Params.optionalString(json("{'TableName':false}"), "TableName", errors),
                "FALSE_VALUE cannot be converted to String (at 'tableName')");
    }

    @Test
    void tableNameRules() {
        assertThat(Params.requiredTableName(json("{'TableName':'My_Table.v-1'}"), "TableName", errors)).isEqualTo("My_Table.v-1");
        assertThat(Params.requiredTableName(json("{'TableName':'" + "t".repeat(255) + "'}"), "TableName", errors)).hasSize(255);
        assertThat(errors.isEmpty()).isTrue();

        assertThat(Params.requiredTableName(json("{'TableName':'x'}"), "TableName", errors)).isNull();
        assertThat(errors.message()).isEqualTo("1 validation error detected: Value 'x' at 'tableName' failed to satisfy "
                + "constraint: Member must have length greater than or equal to 3");
    }

    @Test
    void tableNamePatternAndLengthAreReportedTogether() {
        assertThat(Params.requiredTableName(json("{'TableName':'a;'}"), "TableName", errors)).isNull();
        assertThat(errors.message()).isEqualTo("2 validation errors detected: "
                + "Value 'a;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
                + "Value 'a;' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3");
    }

    @Test
    void tableNamesTooLongOrWithBadCharacters() {
        String longName = "t".repeat(256);
        Params.requiredTableName(json("{'TableName':'" + longName + "'}"), "TableName", errors);
        assertThat(errors.message()).endsWith("Member must have length less than or equal to 255");
        ValidationErrors other = new ValidationErrors();
        assertThat(Params.optionalTableName(json("{'ExclusiveStartTableName':'tab le'}"), "ExclusiveStartTableName", other)).isNull();
        assertThat(other.message()).isEqualTo("1 validation error detected: Value 'tab le' at 'exclusiveStartTableName' "
                + "failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        assertThat(Params.optionalTableName(json("{}"), "ExclusiveStartTableName", other)).isNull();
        assertThat(other.size()).isEqualTo(1);
    }

    @Test
    void enums() {
        assertThat(Params.optionalEnum(json("{'ReturnValues':'ALL_OLD'}"), "ReturnValues", ReturnValue.class, errors))
                .isEqualTo(ReturnValue.ALL_OLD);
        assertThat(Params.optionalEnum(json("{}"), "ReturnValues", ReturnValue.class, errors)).isNull();
        assertThat(errors.isEmpty()).isTrue();

        assertThat(Params.optionalEnum(json("{'ReturnValues':'FOO'}"), "ReturnValues", ReturnValue.class, errors)).isNull();
        assertThat(errors.message()).isEqualTo("1 validation error detected: Value 'FOO' at 'returnValues' failed to satisfy "
                + "constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
    }

    @Test
    void enumsAreCaseSensitiveAndMayBeRequired() {
        assertThat(Params.optionalEnum(json("{'ReturnValues':'all_old'}"), "ReturnValues", ReturnValue.class, errors)).isNull();
        assertThat(Params.requiredEnum(json("{}"), "ReturnValues", ReturnValue.class, errors)).isNull();
        assertThat(errors.size()).isEqualTo(2);
        assertThat(errors.message()).contains("Value null at 'returnValues' failed to satisfy constraint: Member must not be null");
        serializationError(() -> Params.optionalEnum(json("{'ReturnValues':1}"), "ReturnValues", ReturnValue.class, errors),
                "NUMBER_VALUE cannot be converted to String (at 'returnValues')");
    }

    @Test
    void integersWithRanges() {
        assertThat(Params.optionalInteger(json("{'Limit':25}"), "Limit", 1, Integer.MAX_VALUE, errors)).isEqualTo(25);
        assertThat(Params.optionalInteger(json("{}"), "Limit", 1, Integer.MAX_VALUE, errors)).isNull();
        assertThat(errors.isEmpty()).isTrue();

        assertThat(Params.optionalInteger(json("{'Limit':0}"), "Limit", 1, Integer.MAX_VALUE, errors)).isNull();
        assertThat(errors.message()).isEqualTo("1 validation error detected: Value '0' at 'limit' failed to satisfy "
                + "constraint: Member must have value greater than or equal to 1");
    }

    @Test
    void integersAboveTheRangeOrBeyondAnInt() {
        Params.optionalInteger(json("{'TotalSegments':1000001}"), "TotalSegments", 1, 1000000, errors);
        Params.optionalInteger(json("{'Limit':99999999999}"), "Limit", 1, Integer.MAX_VALUE, errors);
        assertThat(errors.message()).isEqualTo("2 validation errors detected: "
                + "Value '1000001' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000; "
                + "Value '99999999999' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 2147483647");
    }

    @Test
    void fractionalIntegersAreTruncatedAsDynamoDbDoes() {
        assertThat(Params.optionalInteger(json("{'Limit':2.7}"), "Limit", 1, 10, errors)).isEqualTo(2);
        assertThat(Params.optionalInteger(json("{'Limit':0.5}"), "Limit", 1, 10, errors)).isNull();
        assertThat(errors.message()).contains("Value '0.5' at 'limit'");
    }

    @Test
    void hugeOrInfiniteNumbersAreOutOfRangeNotAFailure() {
        Params.optionalInteger(json("{'Limit':1e400}"), "Limit", 1, 100, errors);
        Params.optionalInteger(json("{'Limit':-1e400}"), "Limit", 1, 100, errors);
        Params.optionalInteger(json("{'Limit':123456789012345678901234567890}"), "Limit", 1, 100, errors);
        Params.optionalInteger(json("{'Limit':100.5}"), "Limit", 1, 100, errors);
        Params.optionalInteger(json("{'Limit':101.0}"), "Limit", 1, 100, errors);
        assertThat(errors.message()).isEqualTo("4 validation errors detected: "
                + "Value 'Infinity' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100; "
                + "Value '-Infinity' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; "
                + "Value '123456789012345678901234567890' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100; "
                + "Value '101.0' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100");
        ValidationErrors none = new ValidationErrors();
        assertThat(Params.optionalInteger(json("{'Limit':100.5}"), "Limit", 1, 100, none)).isEqualTo(100);
    }

    @Test
    void integersOfTheWrongJsonType() {
        serializationError(() -> Params.optionalInteger(json("{'Limit':'5'}"), "Limit", 1, 10, errors),
                "STRING_VALUE cannot be converted to Integer (at 'limit')");
    }

    @Test
    void booleans() {
        assertThat(Params.optionalBoolean(json("{'ConsistentRead':true}"), "ConsistentRead", errors)).isTrue();
        assertThat(Params.optionalBoolean(json("{}"), "ConsistentRead", errors)).isNull();
        assertThat(Params.bool(json("{}"), "ConsistentRead", false, errors)).isFalse();
        assertThat(Params.bool(json("{'ConsistentRead':false}"), "ConsistentRead", true, errors)).isFalse();
        serializationError(() -> Params.optionalBoolean(json("{'ConsistentRead':'yes'}"), "ConsistentRead", errors),
                "STRING_VALUE cannot be converted to Boolean (at 'consistentRead')");
    }

    @Test
    void objectsAndArrays() {
        assertThat(Params.optionalObject(json("{'Key':{'a':{'S':'x'}}}"), "Key", errors)).isNotNull();
        assertThat(Params.optionalArray(json("{'AttributesToGet':['a']}"), "AttributesToGet", errors)).hasSize(1);
        assertThat(Params.optionalObject(json("{}"), "Key", errors)).isNull();
        serializationError(() -> Params.optionalObject(json("{'Key':[]}"), "Key", errors),
                "Start of list found where not expected (at 'key')");
        serializationError(() -> Params.optionalArray(json("{'AttributesToGet':{}}"), "AttributesToGet", errors),
                "Start of structure or map found where not expected. (at 'attributesToGet')");
        serializationError(() -> Params.optionalArray(json("{'AttributesToGet':'a'}"), "AttributesToGet", errors),
                "STRING_VALUE cannot be converted to List (at 'attributesToGet')");
    }

    @Test
    void nestedMembersAreNamedByTheirPath() {
        JsonNode request = json("{'KeySchema':[{'AttributeName':'pk','KeyType':'HASH'},{'KeyType':'RANGE'}]}");
        JsonNode second = request.get("KeySchema").get(1);
        ValidationErrors member = errors.within("keySchema.2.member");
        assertThat(Params.requiredString(second, "AttributeName", member)).isNull();
        Params.requiredTableName(json("{}"), "TableName", errors);
        assertThatThrownBy(errors::throwIfAny)
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.ValidationException))
                .hasMessage("2 validation errors detected: "
                        + "Value null at 'keySchema.2.member.attributeName' failed to satisfy constraint: Member must not be null; "
                        + "Value null at 'tableName' failed to satisfy constraint: Member must not be null");
    }
}
