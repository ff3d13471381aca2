package io.riata.http.diag;

/**
 * What the admin API's {@code /admin/diagnostics} endpoints read and run on this node: mailbox
 * depths, the request path's own timings, JFR recordings and load simulations.
 */
public record Diagnostics(MailboxSampler mailboxes, PathTimings timings, JfrRecordings jfr, LoadSimulation load) {}
