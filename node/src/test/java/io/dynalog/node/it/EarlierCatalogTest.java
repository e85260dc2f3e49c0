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
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A cluster whose Kafka holds an earlier version's catalog topic ({@code <prefix>.meta}, table
 * records by name): once started, its tables are in the replicated catalog, unchanged and served,
 * and the old topic is gone.
 */
class EarlierCatalogTest {

    @Test
    void tablesOfTheEarlierCatalogTopicAreBroughtIntoTheCatalogOnce() throws Exception {
        String prefix = "ec" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        long tableId = 0x5eed_0000_0001L;
        TableDescriptor earlier = new TableDescriptor("Earlier", tableId, KeySchema.hash("id", ScalarType.S),
                List.of(new TableDescriptor.AttributeDefinition("id", ScalarType.S)), "PAY_PER_REQUEST", 0, 0, 2, 1_000,
                TableStatus.ACTIVE, WalRecords.walTopic(prefix, "Earlier", tableId), List.of(List.of(1), List.of(1)));
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedTestKafka.bootstrapServers());
        String metaTopic = prefix + ".meta";
        try (Admin admin = Admin.create(p);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            admin.createTopics(List.of(new NewTopic(metaTopic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(metaTopic, 0, "Earlier".getBytes(StandardCharsets.UTF_8),
                    TableRecordCodec.encode(earlier))).get(30, TimeUnit.SECONDS);
        }

        Path dir = Files.createTempDirectory("dynalog-earlier-");
        try (DynalogNode node = DynalogNode.start(NodeConfig.singleNode(0, SharedTestKafka.bootstrapServers(), dir)
                     .withTopicPrefix(prefix).withDefaultPartitions(2));
             DynamoDbClient client = TestNode.client(node.apiPort())) {
            assertThat(client.listTables().tableNames()).as("not in the catalog before it is brought in").isEmpty();
            node.bringInEarlierCatalog().get(30, TimeUnit.SECONDS);
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
            assertThat(client.listTables().tableNames()).isEmpty();
        } finally {
            TestNode.deleteRecursively(dir);
        }
    }
}
