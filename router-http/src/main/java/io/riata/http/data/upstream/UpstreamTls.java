package io.riata.http.data.upstream;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
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
    SslContextBuilder builder = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
    if (extraCas != null) {
      builder.trustManager(trustManager(extraCas));
    }
    try {
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS for providers: " + e.getMessage(), e);
    }
  }

  /**
   * The name to send as SNI for {@code host}, or {@code null} for an IP literal or a name SNI
   * cannot carry. The JDK leaves SNI out for names without a dot ({@code localhost}, a Kubernetes
   * service in the same namespace); a proxy that picks its backend by SNI needs it all the same.
   */
  static SNIHostName serverName(String host) {
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    if (name.isEmpty() || NetUtil.createByteArrayFromIpAddressString(name) != null) {
      return null;
    }
    try {
      return new SNIHostName(name);
    } catch (IllegalArgumentException notAHostName) {
      return null; // e.g. an underscore: connect without SNI, as the JDK would
    }
  }

  /** The TLS handler of a new connection to {@code endpoint}: host name checked, SNI sent. */
  static SslHandler newHandler(SslContext context, ByteBufAllocator alloc, ProviderEndpoint endpoint) {
    return newHandler(context, alloc, endpoint.host, endpoint.port, endpoint.serverName);
  }

  /** The TLS handler of a new connection to {@code host} (a provider's WebSocket): host name checked, SNI sent. */
  static SslHandler newHandler(SslContext context, ByteBufAllocator alloc, String host, int port) {
    return newHandler(context, alloc, host, port, serverName(host));
  }

  private static SslHandler newHandler(SslContext context, ByteBufAllocator alloc, String host, int port,
                                       SNIHostName serverName) {
    SslHandler handler = context.newHandler(alloc, host, port);
    if (serverName != null) {
      SSLEngine engine = handler.engine();
      SSLParameters parameters = engine.getSSLParameters(); // keeps the host-name check set by the context
      parameters.setServerNames(List.of(serverName));
      engine.setSSLParameters(parameters);
    }
    return handler;
  }

  /**
   * One trust manager over the JDK's default CAs and the certificates in {@code pem}. A file that
   * cannot be read or holds no certificate is a configuration mistake, reported by the setting's name.
   */
  private static TrustManager trustManager(Path pem) {
    Collection<? extends Certificate> extra;
    try (InputStream in = Files.newInputStream(pem)) {
      extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (NoSuchFileException e) {
      throw unusable(pem, "no such file", e);
    } catch (IOException | CertificateException e) {
      throw unusable(pem, e.getMessage(), e);
    }
    if (extra.isEmpty()) {
      throw unusable(pem, "it holds no PEM certificate", null);
    }
    try {
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
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS for providers: " + e.getMessage(), e);
    }
  }

  private static IllegalStateException unusable(Path pem, String why, Exception cause) {
    return new IllegalStateException("riata.http.upstream.tls.trusted-certificates: cannot use " + pem + ": " + why,
        cause);
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
