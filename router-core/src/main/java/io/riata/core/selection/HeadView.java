package io.riata.core.selection;

/** What this node knows of each provider's head, which may be newer than the snapshot's. */
@FunctionalInterface
public interface HeadView {

  /** The provider's head as best known here, or -1; {@code status} is its entry in the snapshot, if any. */
  long knownHead(String providerId, ProviderStatus status);

  /** The snapshot's heads only. */
  HeadView SNAPSHOT = (providerId, status) -> status == null ? -1 : status.head();
}
