package org.triage.schemas.kafka;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;

/**
 * Turns the Kafka client's authentication and authorization failures into one line that says
 * which user, which broker and which setting to check. Kafka clients treat these as fatal (they do
 * not retry them), so components stop on them instead of looping.
 */
public final class KafkaAuthErrors {
    private KafkaAuthErrors() {
    }

    /** The first authentication or authorization failure in {@code t}'s cause chain, or null. */
    public static RuntimeException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof AuthenticationException || c instanceof AuthorizationException) {
                return (RuntimeException) c;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    public static boolean isAuthFailure(Throwable t) {
        return find(t) != null;
    }

    /** One line describing the failure in {@code t}, or null when it is not an auth failure. */
    public static String describe(Throwable t, String bootstrapServers, KafkaClientProperties settings) {
        RuntimeException e = find(t);
        if (e == null) {
            return null;
        }
        String user = settings.saslUser();
        String who = user == null ? "" : " for user " + user;
        String where = settings.source() == null ? "no --kafka-config given" : "in " + settings.source();
        if (e instanceof SslAuthenticationException) {
            return "Kafka TLS handshake failed" + who + " at " + bootstrapServers
                    + ": check ssl.truststore.location / ssl.keystore.location (" + where + "): " + e.getMessage();
        }
        if (e instanceof AuthenticationException) {
            return "Kafka authentication failed" + who + " at " + bootstrapServers + ": check sasl.mechanism and sasl.jaas.config ("
                    + where + "): " + e.getMessage();
        }
        String what = e instanceof TopicAuthorizationException ta ? "topic(s) " + ta.unauthorizedTopics()
                : e instanceof GroupAuthorizationException ga ? "consumer group " + ga.groupId()
                : e instanceof TransactionalIdAuthorizationException ? "its transactional id"
                : "the operation";
        return "Kafka denied user " + (user == null ? "(anonymous)" : user) + " access to " + what + " at " + bootstrapServers
                + ": grant the ACLs for it (" + e.getMessage() + ")";
    }
}
