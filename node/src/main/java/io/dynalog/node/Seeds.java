package io.dynalog.node;

import io.dynalog.topology.placement.NodeInfo;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * The {@code --seeds} of {@code dynalog start}: peer addresses of nodes this node expects to
 * hear from before it reports ready. Membership itself comes from the nodes topic in Kafka; the
 * seeds only say who should be in it.
 */
final class Seeds {
    private static final long POLL_MS = 100;

    private Seeds() {}

    record Address(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }

        /** True when {@code node} announced this peer address (host names resolved when they differ). */
        boolean isPeerOf(NodeInfo node) {
            if (node.peerPort() != port) return false;
            if (node.peerHost().equalsIgnoreCase(host)) return true;
            try {
                InetAddress seed = InetAddress.getByName(host);
                InetAddress announced = InetAddress.getByName(node.peerHost());
                return seed.equals(announced) || (seed.isLoopbackAddress() && announced.isLoopbackAddress());
            } catch (UnknownHostException e) {
                return false;
            }
        }
    }

    /** Parses {@code HOST:PORT} entries; a malformed one is a usage error that names it. */
    static List<Address> parse(CommandLine command, Collection<String> seeds) {
        List<Address> addresses = new ArrayList<>();
        for (String seed : seeds) {
            String s = seed.trim();
            if (s.isEmpty()) continue;
            int colon = s.lastIndexOf(':');
            int port = -1;
            if (colon > 0) {
                try {
                    port = Integer.parseInt(s.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (port < 1 || port > 65_535) {
                throw new CommandLine.ParameterException(command,
                        "--seeds: '" + seed + "' is not HOST:PEER_PORT (a port in 1..65535)");
            }
            addresses.add(new Address(s.substring(0, colon), port));
        }
        return addresses;
    }

    /** How many nodes the seeds name, this node (at {@code host}:{@code peerPort}) included once. */
    static int clusterSize(List<Address> seeds, String host, int peerPort) {
        List<Address> distinct = seeds.stream().distinct().toList();
        if (peerPort == 0) return distinct.size() + 1; // a port picked at start is no seed's
        NodeInfo self = new NodeInfo(1, "self", host, 1, host, peerPort);
        return (int) distinct.stream().filter(a -> !a.isPeerOf(self)).count() + 1;
    }

    /**
     * Waits until every seed is among {@code members}, at most {@code timeoutMs}; returns the
     * seeds not heard from (empty when all were).
     */
    static List<Address> await(List<Address> seeds, Supplier<List<NodeInfo>> members, long timeoutMs)
            throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            List<NodeInfo> known = members.get();
            List<Address> missing = seeds.stream().filter(a -> known.stream().noneMatch(a::isPeerOf)).toList();
            if (missing.isEmpty() || System.nanoTime() >= deadlineNs) return missing;
            TimeUnit.MILLISECONDS.sleep(POLL_MS);
        }
    }
}
