package io.riata.http.ops.diag;

/**
 * What the admin API's {@code /admin/diagnostics} endpoints read and run on this node: mailbox
 * depths, the request path's own timings, JFR recordings, load simulations, and the data plane
 * threads' CPU time and allocation.
 */
public record Diagnostics(MailboxSampler mailboxes, PathTimings timings, JfrRecordings jfr, LoadSimulation load,
                          DataPlaneThreads threads) {}
