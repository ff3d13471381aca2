package io.riata.http.ops.diag;

/** A diagnostics request that cannot be served as asked; the admin API answers it as problem JSON. */
public final class DiagnosticsException extends RuntimeException {

  private final int status;
  private final String type;
  private final String title;

  public DiagnosticsException(int status, String type, String title, String detail) {
    super(detail);
    this.status = status;
    this.type = type;
    this.title = title;
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String title() {
    return title;
  }

  public static DiagnosticsException badRequest(String detail) {
    return new DiagnosticsException(400, "bad-request", "Bad request", detail);
  }

  public static DiagnosticsException busy(String what) {
    return new DiagnosticsException(409, "busy", "Already running", what);
  }
}
