// Starts a single-node OpenSearch through codelibs' OpenSearchRunner with the
// HTTP port we ask for. The runner's own main() only accepts HTTP ports up to
// 9299 (its maxHttpPort) and silently moves to the next free port when the
// wanted one is taken; here the port is fixed and a taken port is an error.
//
// Usage: java -cp 'lib/*:classes' ChainscopeOpenSearch BASE_DIR HTTP_PORT TRANSPORT_PORT CLUSTER_NAME
import org.codelibs.opensearch.runner.OpenSearchRunner;

public final class ChainscopeOpenSearch {
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: ChainscopeOpenSearch BASE_DIR HTTP_PORT TRANSPORT_PORT CLUSTER_NAME");
            System.exit(2);
        }
        final String base = args[0];
        final int httpPort = Integer.parseInt(args[1]);
        final String transportPort = args[2];
        final String clusterName = args[3];

        final OpenSearchRunner runner = new OpenSearchRunner();
        runner.setMaxHttpPort(65535);
        runner.onBuild((index, settings) -> {
            settings.put("http.port", httpPort);
            settings.put("network.host", "127.0.0.1");
            settings.put("transport.port", transportPort);
            settings.put("discovery.type", "single-node");
            // a throw-away node on a shared disk: never go read-only because the disk is "full"
            settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (Exception e) {
                System.err.println("close failed: " + e);
            }
        }));
        try {
            runner.build(
                "-basePath", base,
                "-numOfNode", "1",
                "-baseHttpPort", String.valueOf(httpPort - 1),
                "-clusterName", clusterName,
                "-printOnFailure");
        } catch (Throwable t) {
            System.err.println("OpenSearch failed to start:");
            t.printStackTrace();
            System.exit(1);
        }
        System.out.println("OpenSearch node started: http://127.0.0.1:" + httpPort);
        while (!runner.isClosed()) {
            Thread.sleep(5000);
        }
    }
}
