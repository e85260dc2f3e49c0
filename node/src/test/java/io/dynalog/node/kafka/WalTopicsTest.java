package io.dynalog.node.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.ingest.WalTopics;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/**
 * WAL topics on a real broker count their compaction lag from when a record landed
 * ({@code LogAppendTime}): a stale record that lands late must stay uncompacted, behind the newer
 * record, for the whole lag, so its partition's leader has that long to cover it. A WAL topic made
 * by an earlier version (CreateTime) is switched when the node places it again.
 */
class WalTopicsTest {

    @Test
    void walTopicsTimestampRecordsWhenTheyLandIncludingOnesMadeBefore() throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", SharedTestKafka.bootstrapServers()))) {
            WalTopics topics = new WalTopics(admin, (short) 1, 60_000);
            String prefix = "waltopics-" + UUID.randomUUID().toString().substring(0, 8);
            String fresh = prefix + ".fresh";
            String earlier = prefix + ".earlier";
            try {
                topics.ensureWalTopic(fresh, 1);
                assertThat(timestampType(admin, fresh)).isEqualTo("LogAppendTime");

                admin.createTopics(List.of(new NewTopic(earlier, 1, (short) 1).configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)))).all().get(30, TimeUnit.SECONDS);
                assertThat(timestampType(admin, earlier)).isEqualTo("CreateTime");
                topics.ensureWalTopic(earlier, 1);
                assertThat(timestampType(admin, earlier)).isEqualTo("LogAppendTime");
            } finally {
                topics.delete(fresh);
                topics.delete(earlier);
            }
        }
    }

    private static String timestampType(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
                .get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).value();
    }
}
