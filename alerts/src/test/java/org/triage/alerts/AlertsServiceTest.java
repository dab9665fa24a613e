package org.triage.alerts;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.triage.alerts.auth.TokenStore;

/** Start-up refusals that need no broker. */
class AlertsServiceTest {
    private static final TokenStore TOKENS = TokenStore.parse(List.of("service-test-token-0123456789:viewer"), "test");

    @Test
    void aTakenPortIsRefusedWithAClearMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            AlertsService s = AlertsService.builder().bootstrapServers("127.0.0.1:1").schemaRegistryUrl("http://127.0.0.1:1")
                    .tokens(TOKENS).port(taken.getLocalPort()).build();
            IllegalStateException e = assertThrows(IllegalStateException.class, s::start);
            assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()) && e.getMessage().contains("in use"), e.getMessage());
        }
    }

    @Test
    void tokensAreRequiredAndUrlNeedsAStart() {
        assertThrows(IllegalStateException.class, () -> AlertsService.builder().build());
        AlertsService s = AlertsService.builder().tokens(TOKENS).build();
        assertTrue(assertThrows(IllegalStateException.class, s::url).getMessage().contains("not started"));
        assertThrows(IllegalArgumentException.class, () -> AlertsService.builder().port(70000));
        assertThrows(IllegalArgumentException.class, () -> AlertsService.builder().maxAlerts(0));
    }
}
