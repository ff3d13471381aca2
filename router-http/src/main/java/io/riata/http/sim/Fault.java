package io.riata.http.sim;

/** A failure a simulated provider can be switched into while it runs. */
public enum Fault {
  /** Answers normally. */
  NONE,
  /** Every request gets HTTP 500 with a plain-text body. */
  HTTP_500,
  /** Requests are read and never answered; the connection is dropped on kill, close, fault change or after 60 s. */
  HANG,
  /** Every request gets HTTP 429, whatever {@code rateLimitEvery} says. */
  RATE_LIMITED,
  /** The connection is closed without an answer. */
  RESET,
  /** Answers normally, but the head stops advancing; it catches up once the fault is cleared. */
  STALL_HEAD,
  /**
   * Every request gets HTTP 200 with an HTML error page, the way a CDN or load balancer in front
   * of a node answers when the node behind it is gone.
   */
  HTML
}
