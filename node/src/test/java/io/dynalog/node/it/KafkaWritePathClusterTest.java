package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.client.DynalogKafkaWriter;
import io.dynalog.client.WriteResult;
import io.dynalog.node.kafka.SharedTestKafka;
import io.dynalog.topology.model.AttributeValue;
import io.dynalog.topology.request.WriteCommand;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * The Kafka write path on three nodes: every node's intake takes part of the request topic, and
 * most writes are forwarded to a leader on another node, their request token with them; a
 * retried token takes effect once whichever node runs it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaWritePathClusterTest {
    final TestCluster cluster = new TestCluster();
    DynalogKafkaWriter writer;

    @BeforeEach
    void start() throws Exception {
        cluster.start("kw", 3, 4);
        cluster.clients.get(0).createTable(r -> r.tableName("Cnt").billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S)));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                cluster.clients.get(0).describeTable(r -> r.tableName("Cnt")).table().tableStatus() == TableStatus.ACTIVE);
        writer = DynalogKafkaWriter.builder().bootstrapServers(SharedTestKafka.bootstrapServers())
                .topicPrefix(cluster.prefix).requestTimeout(Duration.ofSeconds(3)).deadline(Duration.ofSeconds(40)).build();
    }

    @AfterEach
    void stop() {
        if (writer != null) writer.close();
        cluster.close();
    }

    @Test
    void retriedTokensTakeEffectOnceWhereverTheirLeaderIs() {
        int items = 12;
        for (int i = 0; i < items; i++) {
            String token = "c-" + i + "-" + UUID.randomUUID();
            WriteCommand.Update add = new WriteCommand.Update("Cnt", Map.of("pk", AttributeValue.s("k" + i)), "ADD n :one", null, null,
                    Map.of(":one", AttributeValue.n("1")), "ALL_NEW");
            WriteResult first = writer.submit(token, add);
            WriteResult again = writer.submit(token, add);
            assertThat(again.attributes()).isEqualTo(first.attributes());
        }
        for (int i = 0; i < items; i++) {
            String pk = "k" + i;
            var item = cluster.clients.get(i % 3).getItem(r -> r.tableName("Cnt").consistentRead(true)
                    .key(Map.of("pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(pk)))).item();
            assertThat(item.get("n").n()).as(pk).isEqualTo("1");
        }
    }
}
