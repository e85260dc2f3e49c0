package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.node.DynalogNode;
import io.dynalog.node.NodeConfig;
import io.dynalog.node.kafka.SharedTestKafka;
import io.dynalog.topology.model.KeySchema;
import io.dynalog.topology.model.ScalarType;
import io.dynalog.topology.model.TableDescriptor;
import io.dynalog.topology.model.TableStatus;
import io.dynalog.topology.wal.WalRecords;
import io.dynalog.topology.wire.TableRecordCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * A cluster whose Kafka holds an earlier version's catalog topic ({@code <prefix>.meta}, table
 * records by name): once started, its tables are in the replicated catalog, unchanged and served,
 * except one whose name a client took first, which stays in the old topic until the name is free;
 * then the old topic is gone, and a table deleted after is not brought back.
 */
class EarlierCatalogTest {

    @Test
    void tablesOfTheEarlierCatalogTopicAreBroughtIntoTheCatalogOnce() throws Exception {
        String prefix = "ec" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        long tableId = 0x5eed_0000_0001L;
        TableDescriptor earlier = new TableDescriptor("Earlier", tableId, KeySchema.hash("id", ScalarType.S),
                List.of(new TableDescriptor.AttributeDefinition("id", ScalarType.S)), "PAY_PER_REQUEST", 0, 0, 2, 1_000,
                TableStatus.ACTIVE, WalRecords.walTopic(prefix, "Earlier", tableId), List.of(List.of(1), List.of(1)));
        TableDescriptor clash = new TableDescriptor("Clash", tableId + 1, KeySchema.hash("id", ScalarType.S),
                List.of(new TableDescriptor.AttributeDefinition("id", ScalarType.S)), "PAY_PER_REQUEST", 0, 0, 1, 1_000,
                TableStatus.ACTIVE, WalRecords.walTopic(prefix, "Clash", tableId + 1), List.of(List.of(1)));
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedTestKafka.bootstrapServers());
        String metaTopic = prefix + ".meta";
        try (Admin admin = Admin.create(p);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            admin.createTopics(List.of(new NewTopic(metaTopic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(metaTopic, 0, "Earlier".getBytes(StandardCharsets.UTF_8),
                    TableRecordCodec.encode(earlier))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(metaTopic, 0, "Clash".getBytes(StandardCharsets.UTF_8),
                    TableRecordCodec.encode(clash))).get(30, TimeUnit.SECONDS);
        }

        Path dir = Files.createTempDirectory("dynalog-earlier-");
        try (DynalogNode node = DynalogNode.start(NodeConfig.singleNode(0, SharedTestKafka.bootstrapServers(), dir)
                     .withTopicPrefix(prefix).withDefaultPartitions(2));
             DynamoDbClient client = TestNode.client(node.apiPort())) {
            assertThat(client.listTables().tableNames()).as("not in the catalog before it is brought in").isEmpty();
            // A client takes one of the names first: that earlier table stays where it is, the topic too.
            client.createTable(r -> r.tableName("Clash").billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(KeySchemaElement.builder().attributeName("k").keyType(KeyType.HASH).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("k").attributeType(ScalarAttributeType.S).build()));
            node.bringInEarlierCatalog().get(30, TimeUnit.SECONDS);
            assertThat(client.describeTable(r -> r.tableName("Clash")).table().keySchema().get(0).attributeName()).isEqualTo("k");
            try (Admin admin = Admin.create(p)) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(metaTopic);
            }
            org.awaitility.Awaitility.await("Clash ACTIVE").atMost(java.time.Duration.ofSeconds(30))
                    .pollInterval(java.time.Duration.ofMillis(50)).until(() -> client.describeTable(r -> r.tableName("Clash"))
                            .table().tableStatus() == software.amazon.awssdk.services.dynamodb.model.TableStatus.ACTIVE);
            client.deleteTable(r -> r.tableName("Clash"));
            node.bringInEarlierCatalog().get(30, TimeUnit.SECONDS); // now it can come in, and the topic go
            var described = client.describeTable(r -> r.tableName("Earlier")).table();
            assertThat(described.tableId()).endsWith(Long.toHexString(tableId));
            assertThat(described.creationDateTime().toEpochMilli()).isEqualTo(1_000);
            client.putItem(r -> r.tableName("Earlier").item(Map.of("id", AttributeValue.fromS("a"), "v", AttributeValue.fromS("1"))));
            assertThat(client.getItem(r -> r.tableName("Earlier").key(Map.of("id", AttributeValue.fromS("a"))).consistentRead(true))
                    .item()).containsEntry("v", AttributeValue.fromS("1"));
            try (Admin admin = Admin.create(p)) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(metaTopic);
            }
            // A table deleted afterwards stays deleted: nothing is brought in again.
            client.deleteTable(r -> r.tableName("Earlier"));
            node.bringInEarlierCatalog().get(30, TimeUnit.SECONDS);
            assertThat(client.listTables().tableNames()).containsExactly("Clash");
        } finally {
            TestNode.deleteRecursively(dir);
        }
    }
}
