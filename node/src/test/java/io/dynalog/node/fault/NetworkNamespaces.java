package io.dynalog.node.fault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private network for a cluster's nodes, one Linux network namespace per node: a bridge in the
 * root namespace holds {@code 10.77.X.1/24} (X picked free), and each node's namespace has one
 * end of a veth pair with {@code 10.77.X.(10+n)}, the other end on the bridge. Processes of the
 * root namespace (the test JVM, the Kafka broker on the bridge address) reach every node;
 * {@link #cut} drops one node's packets to another with a blackhole route in the sender's
 * namespace (the root namespace's routes are untouched, so clients and Kafka still reach both).
 *
 * <p>Names carry this JVM's pid in base 36 ({@code dlgn-<pid>-<n>}, bridge {@code dlgb<pid>},
 * veth ends {@code dlgv<pid>-<n>}/{@code dlgp<pid>-<n>}), so that runs side by side do not
 * collide and a run that died without cleaning up is recognised by its dead pid and removed,
 * processes included, by the next run ({@link #removeLeftovers}).
 *
 * <p>Needs root and iproute2; {@link #create} throws {@link Unavailable} otherwise.
 */
final class NetworkNamespaces implements AutoCloseable {

    /** This machine cannot give the test network namespaces (not root, no iproute2, no netns support). */
    static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    private static final Pattern NAMESPACE = Pattern.compile("^dlgn-([0-9a-z]+)-\\d+");
    private static final Pattern LINK = Pattern.compile("^\\d+: (dlg[bv]([0-9a-z]+)(-\\d+)?)[@:]");
    /** The data directory of a run, {@code dynalog-nemesis-run-<pid>-...} (see {@link #RUN_DIRECTORY_PREFIX}). */
    private static final Pattern RUN_DIRECTORY = Pattern.compile("dynalog-nemesis-run-([0-9a-z]+)-");
    private static final Pattern USED_SUBNET = Pattern.compile("inet 10\\.77\\.(\\d+)\\.");

    /** How a run names its temporary directory: this prefix, then its owner ({@link #owner()}) and "-". */
    static final String RUN_DIRECTORY_PREFIX = "dynalog-nemesis-run-";

    private final String owner;
    private final int subnet;
    private final int nodes;
    /** The cuts in place, as "from>to". */
    private final Set<String> cuts = ConcurrentHashMap.newKeySet();
    private boolean closed;

    private NetworkNamespaces(String owner, int subnet, int nodes) {
        this.owner = owner;
        this.subnet = subnet;
        this.nodes = nodes;
    }

    /** Removes the leftovers of dead runs, then builds the bridge and one namespace per node (1..nodes). */
    static NetworkNamespaces create(int nodes) throws Unavailable {
        if (!"root".equals(System.getProperty("user.name"))) throw new Unavailable("not running as root");
        try {
            if (run("ip", "-V").exit() != 0) throw new Unavailable("no iproute2 ('ip -V' failed)");
        } catch (IOException e) {
            throw new Unavailable("no iproute2: " + e.getMessage());
        }
        String owner = Long.toString(ProcessHandle.current().pid(), 36);
        removeLeftovers();
        NetworkNamespaces net = new NetworkNamespaces(owner, freeSubnet(), nodes);
        try {
            Result probe = run("ip", "netns", "add", net.namespace(1));
            if (probe.exit() != 0) throw new Unavailable("'ip netns add' failed: " + probe.output().trim());
            net.build();
            return net;
        } catch (IOException | RuntimeException e) {
            net.close();
            throw new Unavailable("cannot build the network: " + e.getMessage());
        } catch (Unavailable e) {
            net.close();
            throw e;
        }
    }

    private void build() throws IOException {
        must("ip", "link", "add", bridge(), "type", "bridge");
        must("ip", "addr", "add", hostAddress() + "/24", "dev", bridge());
        must("ip", "link", "set", bridge(), "up");
        for (int n = 1; n <= nodes; n++) {
            String ns = namespace(n);
            if (n > 1) must("ip", "netns", "add", ns);
            String outer = "dlgv" + owner + "-" + n;
            String inner = "dlgp" + owner + "-" + n;
            must("ip", "link", "add", outer, "type", "veth", "peer", "name", inner);
            must("ip", "link", "set", inner, "netns", ns);
            must("ip", "link", "set", outer, "master", bridge());
            must("ip", "link", "set", outer, "up");
            must("ip", "netns", "exec", ns, "ip", "addr", "add", nodeAddress(n) + "/24", "dev", inner);
            must("ip", "netns", "exec", ns, "ip", "link", "set", inner, "up");
            must("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        }
    }

    /** This JVM's pid in base 36: what the names of this run carry. */
    String owner() {
        return owner;
    }

    String namespace(int node) {
        return "dlgn-" + owner + "-" + node;
    }

    private String bridge() {
        return "dlgb" + owner;
    }

    /** The bridge's address in the root namespace: where the Kafka broker listens. */
    String hostAddress() {
        return "10.77." + subnet + ".1";
    }

    String nodeAddress(int node) {
        return "10.77." + subnet + "." + (10 + node);
    }

    /** The command prefix that runs a command in a node's namespace ({@code ip netns exec} execs it, same pid). */
    List<String> exec(int node) {
        return List.of("ip", "netns", "exec", namespace(node));
    }

    /** From now on, packets from node {@code from} to node {@code to} are dropped (a blackhole route in from's namespace). */
    void cut(int from, int to) throws IOException {
        if (cuts.add(from + ">" + to)) {
            must("ip", "netns", "exec", namespace(from), "ip", "route", "add", "blackhole", nodeAddress(to) + "/32");
        }
    }

    /** Undoes {@link #cut}. */
    void restore(int from, int to) throws IOException {
        if (cuts.remove(from + ">" + to)) {
            must("ip", "netns", "exec", namespace(from), "ip", "route", "del", "blackhole", nodeAddress(to) + "/32");
        }
    }

    /** Undoes every cut. */
    void healAll() throws IOException {
        for (String c : List.copyOf(cuts)) {
            String[] p = c.split(">");
            restore(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
        }
    }

    /** Deletes the namespaces (their veth pairs go with them) and the bridge; processes inside are killed first. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (int n = 1; n <= nodes; n++) deleteNamespace(namespace(n));
        try {
            run("ip", "link", "del", bridge());
            for (int n = 1; n <= nodes; n++) run("ip", "link", "del", "dlgv" + owner + "-" + n);
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    /**
     * Removes the namespaces, links and processes of earlier runs whose JVM is gone: namespaces
     * and links named after a dead pid, and Dynalog processes whose command line names a data
     * directory of such a run ({@code dynalog-nemesis-run-<pid>-}).
     */
    static void removeLeftovers() {
        try {
            Set<String> deadOwners = new HashSet<>();
            for (String line : run("ip", "netns", "list").output().split("\n")) {
                Matcher m = NAMESPACE.matcher(line.trim());
                if (m.find() && !alive(m.group(1))) {
                    deadOwners.add(m.group(1));
                    deleteNamespace(m.group());
                }
            }
            for (String line : run("ip", "-o", "link", "show").output().split("\n")) {
                Matcher m = LINK.matcher(line.trim());
                if (m.find() && !alive(m.group(2))) {
                    deadOwners.add(m.group(2));
                    run("ip", "link", "del", m.group(1));
                }
            }
            ProcessHandle.allProcesses().forEach(p -> p.info().commandLine().ifPresent(cmd -> {
                Matcher m = RUN_DIRECTORY.matcher(cmd);
                if (m.find() && cmd.contains("io.dynalog.node.DynalogCli") && !alive(m.group(1))
                        && p.pid() != ProcessHandle.current().pid()) {
                    deadOwners.add(m.group(1));
                    p.destroyForcibly();
                }
            }));
            if (!deadOwners.isEmpty()) System.out.println("removed leftovers of earlier runs by pids (base 36) " + deadOwners);
        } catch (IOException e) {
            System.out.println("could not look for leftovers: " + e);
        }
    }

    private static boolean alive(String ownerBase36) {
        long pid;
        try {
            pid = Long.parseLong(ownerBase36, 36);
        } catch (NumberFormatException e) {
            return true; // not one of ours
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void deleteNamespace(String ns) {
        try {
            for (String pid : run("ip", "netns", "pids", ns).output().split("\\s+")) {
                if (!pid.isBlank()) ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
            run("ip", "netns", "del", ns);
        } catch (IOException | NumberFormatException e) {
            System.out.println("could not delete namespace " + ns + ": " + e);
        }
    }

    /** A /24 of 10.77.0.0/16 that no interface of the root namespace uses. */
    private static int freeSubnet() throws Unavailable {
        Set<Integer> used = new HashSet<>();
        try {
            Matcher m = USED_SUBNET.matcher(run("ip", "-o", "-4", "addr", "show").output());
            while (m.find()) used.add(Integer.parseInt(m.group(1)));
        } catch (IOException e) {
            throw new Unavailable("'ip addr show' failed: " + e.getMessage());
        }
        int start = (int) (ProcessHandle.current().pid() % 200) + 20;
        for (int i = 0; i < 200; i++) {
            int candidate = 20 + (start - 20 + i) % 200;
            if (!used.contains(candidate)) return candidate;
        }
        throw new Unavailable("no free /24 in 10.77.0.0/16");
    }

    record Result(int exit, String output) {}

    static Result run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", cmd));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    static void must(String... cmd) throws IOException {
        Result r = run(cmd);
        if (r.exit() != 0) throw new IOException(String.join(" ", cmd) + " failed (" + r.exit() + "): " + r.output().trim());
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        for (int n = 1; n <= nodes; n++) names.add(namespace(n) + "=" + nodeAddress(n));
        return "NetworkNamespaces{bridge " + bridge() + "=" + hostAddress() + ", " + names + ", cuts " + cuts + "}";
    }
}
