package io.dynalog.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.topology.placement.NodeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SeedsTest {
    private final CommandLine command = new CommandLine(new DynalogCli.Start());

    private static NodeInfo node(int id, String peerHost, int peerPort) {
        return new NodeInfo(id, "az" + id, peerHost, 8000 + id, peerHost, peerPort);
    }

    @Test
    void parsesHostPortPairs() {
        assertThat(Seeds.parse(command, List.of("10.0.0.2:7000", " node-3:7001 ")))
                .containsExactly(new Seeds.Address("10.0.0.2", 7000), new Seeds.Address("node-3", 7001));
    }

    @Test
    void theClusterSizeCountsThisNodeOnceWhetherOrNotItIsASeed() {
        List<Seeds.Address> all = List.of(new Seeds.Address("127.0.0.1", 7001), new Seeds.Address("localhost", 7002),
                new Seeds.Address("127.0.0.1", 7003));
        assertThat(Seeds.clusterSize(all, "127.0.0.1", 7001)).isEqualTo(3);
        assertThat(Seeds.clusterSize(all.subList(1, 3), "127.0.0.1", 7001)).isEqualTo(3);
        assertThat(Seeds.clusterSize(List.of(), "127.0.0.1", 7001)).isEqualTo(1);
    }

    @Test
    void aMalformedSeedIsAUsageErrorNamingIt() {
        for (String bad : List.of("node-2", "node-2:", ":7000", "node-2:http", "node-2:70000")) {
            assertThatThrownBy(() -> Seeds.parse(command, List.of(bad)))
                    .isInstanceOf(CommandLine.ParameterException.class)
                    .hasMessageContaining("'" + bad + "'").hasMessageContaining("HOST:PEER_PORT");
        }
    }

    @Test
    void waitsUntilEverySeedHasAnnouncedItself() throws Exception {
        List<NodeInfo> members = new ArrayList<>(List.of(node(1, "127.0.0.1", 7001)));
        AtomicInteger polls = new AtomicInteger();
        List<Seeds.Address> missing = Seeds.await(List.of(new Seeds.Address("localhost", 7002), new Seeds.Address("127.0.0.1", 7003)),
                () -> {
                    if (polls.incrementAndGet() == 3) {
                        members.add(node(2, "127.0.0.1", 7002));
                        members.add(node(3, "127.0.0.1", 7003));
                    }
                    return List.copyOf(members);
                }, 5_000);
        assertThat(missing).isEmpty();
        assertThat(polls.get()).isEqualTo(3);
    }

    @Test
    void givesUpAfterTheTimeoutNamingTheSeedsNotHeardFrom() throws Exception {
        List<Seeds.Address> missing = Seeds.await(List.of(new Seeds.Address("127.0.0.1", 7002), new Seeds.Address("127.0.0.1", 7009)),
                () -> List.of(node(2, "127.0.0.1", 7002)), 250);
        assertThat(missing).containsExactly(new Seeds.Address("127.0.0.1", 7009));
    }
}
