package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ListTablesResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/** The table life cycle through the AWS SDK: create, describe, list, delete, and their errors. */
class TablesTest {
    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void createDescribeDelete() {
        TableDescription created = node.client.createTable(CreateTableRequest.builder()
                .tableName("Music")
                .keySchema(KeySchemaElement.builder().attributeName("Artist").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("SongTitle").keyType(KeyType.RANGE).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("Artist").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("SongTitle").attributeType(ScalarAttributeType.S).build())
                .provisionedThroughput(p -> p.readCapacityUnits(5L).writeCapacityUnits(7L))
                .build()).tableDescription();
        assertThat(created.tableName()).isEqualTo("Music");
        assertThat(created.tableStatus()).isEqualTo(TableStatus.CREATING);
        assertThat(created.provisionedThroughput().readCapacityUnits()).isEqualTo(5L);
        assertThat(created.provisionedThroughput().writeCapacityUnits()).isEqualTo(7L);
        assertThat(created.keySchema()).extracting(KeySchemaElement::attributeName).containsExactly("Artist", "SongTitle");

        node.awaitActive("Music");
        TableDescription described = node.client.describeTable(r -> r.tableName("Music")).table();
        assertThat(described.tableStatus()).isEqualTo(TableStatus.ACTIVE);
        assertThat(described.tableArn()).endsWith(":table/Music");
        assertThat(described.attributeDefinitions()).hasSize(2);
        assertThat(described.billingModeSummary()).isNull();

        assertThatThrownBy(() -> node.client.createTable(CreateTableRequest.builder()
                .tableName("Music")
                .keySchema(KeySchemaElement.builder().attributeName("a").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("a").attributeType(ScalarAttributeType.S).build())
                .billingMode(BillingMode.PAY_PER_REQUEST).build()))
                .isInstanceOf(ResourceInUseException.class)
                .hasMessageContaining("Table already exists: Music");

        TableDescription deleted = node.client.deleteTable(r -> r.tableName("Music")).tableDescription();
        assertThat(deleted.tableStatus()).isEqualTo(TableStatus.DELETING);
        assertThatThrownBy(() -> node.client.describeTable(r -> r.tableName("Music")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> node.client.deleteTable(r -> r.tableName("Music")))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void payPerRequestIsReportedBack() {
        node.createTable("OnDemand", "id", ScalarAttributeType.N, null, null);
        TableDescription t = node.client.describeTable(r -> r.tableName("OnDemand")).table();
        assertThat(t.billingModeSummary().billingMode()).isEqualTo(BillingMode.PAY_PER_REQUEST);
        assertThat(t.provisionedThroughput().readCapacityUnits()).isZero();
        assertThat(t.keySchema()).hasSize(1);
    }

    @Test
    void recreatedTableStartsEmpty() {
        node.createTable("Recreated", "id", ScalarAttributeType.S, null, null);
        node.client.putItem(r -> r.tableName("Recreated").item(java.util.Map.of(
                "id", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("x"))));
        node.client.deleteTable(r -> r.tableName("Recreated"));
        node.createTable("Recreated", "id", ScalarAttributeType.S, null, null);
        assertThat(node.client.scan(r -> r.tableName("Recreated").consistentRead(true)).items()).isEmpty();
    }

    @Test
    void listTablesPages() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String name = "List" + i;
            names.add(name);
            node.client.createTable(CreateTableRequest.builder().tableName(name)
                    .keySchema(KeySchemaElement.builder().attributeName("k").keyType(KeyType.HASH).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("k").attributeType(ScalarAttributeType.B).build())
                    .billingMode(BillingMode.PAY_PER_REQUEST).build());
        }
        List<String> seen = new ArrayList<>();
        String start = "List";
        while (true) {
            String from = start;
            ListTablesResponse page = node.client.listTables(r -> r.limit(2).exclusiveStartTableName(from));
            page.tableNames().stream().filter(n -> n.startsWith("List")).forEach(seen::add);
            assertThat(page.tableNames()).hasSizeLessThanOrEqualTo(2);
            if (page.lastEvaluatedTableName() == null) break;
            start = page.lastEvaluatedTableName();
        }
        assertThat(seen).containsExactlyElementsOf(names);
        assertThat(node.client.listTables().tableNames()).containsAll(names);
    }

    @Test
    void invalidCreateTableRequests() {
        assertThatThrownBy(() -> node.client.createTable(r -> r.tableName("ab")
                .keySchema(KeySchemaElement.builder().attributeName("a").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("a").attributeType(ScalarAttributeType.S).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)))
                .isInstanceOf(DynamoDbException.class)
                .hasMessageContaining("Member must have length greater than or equal to 3")
                .satisfies(e -> assertThat(((DynamoDbException) e).awsErrorDetails().errorCode()).isEqualTo("ValidationException"));
        assertThatThrownBy(() -> node.client.createTable(r -> r.tableName("bad name!")
                .keySchema(KeySchemaElement.builder().attributeName("a").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("a").attributeType(ScalarAttributeType.S).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)))
                .hasMessageContaining("Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        assertThatThrownBy(() -> node.client.createTable(r -> r.tableName("NoDefs")
                .keySchema(KeySchemaElement.builder().attributeName("a").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("b").attributeType(ScalarAttributeType.S).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)))
                .hasMessageContaining("Some index key attributes are not defined in AttributeDefinitions");
        assertThatThrownBy(() -> node.client.createTable(r -> r.tableName("RangeFirst")
                .keySchema(KeySchemaElement.builder().attributeName("a").keyType(KeyType.RANGE).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("a").attributeType(ScalarAttributeType.S).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)))
                .hasMessageContaining("The first KeySchemaElement is not a HASH key type");
        assertThatThrownBy(() -> node.client.createTable(r -> r.tableName("NoThroughput")
                .keySchema(KeySchemaElement.builder().attributeName("a").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("a").attributeType(ScalarAttributeType.S).build())))
                .hasMessageContaining("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
        assertThatThrownBy(() -> node.client.describeTable(r -> r.tableName("Missing")))
                .isInstanceOf(ResourceNotFoundException.class);
    }
}
