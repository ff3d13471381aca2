package io.riata.http.data.upstream;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS towards {@code https} and {@code wss} providers: the JDK's trusted CAs, plus those of an
 * optional PEM file (a private CA in front of one's own nodes), with the host name checked against
 * the certificate and SNI sent, as a browser would.
 */
public final class UpstreamTls {

  private UpstreamTls() {}

  /** @param extraCas a PEM file of CA certificates to trust besides the JDK's, or {@code null} */
  public static SslContext clientContext(Path extraCas) {
    try {
      SslContextBuilder builder = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
      if (extraCas != null) {
        builder.trustManager(trustManager(extraCas));
      }
      return builder.build();
    } catch (SSLException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS for providers: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read riata.http.upstream.tls.trusted-certificates " + extraCas + ": "
          + e.getMessage(), e);
    }
  }

  /** One trust manager over the JDK's default CAs and the certificates in {@code pem}. */
  private static TrustManager trustManager(Path pem) throws IOException, GeneralSecurityException {
    Collection<? extends Certificate> extra;
    try (InputStream in = Files.newInputStream(pem)) {
      extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
    if (extra.isEmpty()) {
      throw new GeneralSecurityException(pem + " holds no PEM certificate");
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    for (X509Certificate ca : jdkDefaults()) {
      store.setCertificateEntry("jdk-" + i++, ca);
    }
    for (Certificate ca : extra) {
      store.setCertificateEntry("extra-" + i++, ca);
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return factory.getTrustManagers()[0];
  }

  private static List<X509Certificate> jdkDefaults() throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    List<X509Certificate> cas = new ArrayList<>();
    for (TrustManager tm : factory.getTrustManagers()) {
      if (tm instanceof X509TrustManager x509) {
        cas.addAll(List.of(x509.getAcceptedIssuers()));
      }
    }
    return cas;
  }
}
