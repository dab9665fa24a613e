package org.triage.ingest.scp;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.triage.ingest.pipeline.IngestPipeline;

/**
 * The C-STORE SCP: accepts connections, runs each association on its own thread, and enforces the
 * association limit (a peer over the limit gets A-ASSOCIATE-RJ "local limit exceeded", transient).
 */
public final class StoreScp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreScp.class);
    /** Connections beyond the limit still get a polite rejection; beyond this many more they are just closed. */
    private static final int REJECTION_SLOTS = 4;

    private final ScpConfig config;
    private final IngestPipeline pipeline;
    private final ServerSocket server;
    private final Semaphore slots;
    private final ExecutorService workers;
    private final Thread acceptor;
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean closed;

    private StoreScp(ScpConfig config, IngestPipeline pipeline) throws IOException {
        this.config = config;
        this.pipeline = pipeline;
        this.server = new ServerSocket(config.port(), 64, config.bind());
        this.slots = new Semaphore(config.maxAssociations());
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(0, config.maxAssociations() + REJECTION_SLOTS, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "scp-association-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.acceptor = new Thread(this::acceptLoop, "scp-acceptor");
        this.acceptor.setDaemon(true);
    }

    public static StoreScp start(ScpConfig config, IngestPipeline pipeline) throws IOException {
        StoreScp scp = new StoreScp(config, pipeline);
        scp.acceptor.start();
        LOG.info("C-STORE SCP {} listening on {}:{}", config.aet(), config.bind().getHostAddress(), scp.port());
        return scp;
    }

    public int port() {
        return server.getLocalPort();
    }

    public int activeAssociations() {
        return active.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (SocketException e) {
                if (!closed) {
                    LOG.warn("accept failed: {}", e.getMessage());
                }
                return;
            } catch (IOException e) {
                LOG.warn("accept failed: {}", e.getMessage());
                continue;
            }
            boolean admitted = slots.tryAcquire();
            try {
                workers.execute(() -> {
                    if (admitted) {
                        active.incrementAndGet();
                    }
                    try {
                        new Association(s, config, pipeline, admitted).run();
                    } finally {
                        if (admitted) {
                            active.decrementAndGet();
                            slots.release();
                        }
                    }
                });
            } catch (RejectedExecutionException e) {
                if (admitted) {
                    slots.release();
                }
                closeQuietly(s);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
