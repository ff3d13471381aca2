package io.riata.http.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A throwaway public-key infrastructure for TLS tests, made by the JDK's own {@code keytool} in a
 * temporary directory (nothing downloaded, no extra library): a test CA, exported as PEM for
 * {@code riata.http.upstream.tls.trusted-certificates}, and server key stores (PKCS12) that are
 * either signed by it for {@code localhost}, signed by it for another host name, or self-signed
 * by a CA nobody trusts. {@link #close()} deletes the directory.
 */
public final class TestPki implements AutoCloseable {

  private static final String PASSWORD = "riata-test";
  private static final String KEYTOOL = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();

  private final Path dir;
  private final Path caStore;
  private final Path caPem;

  private TestPki(Path dir) {
    this.dir = dir;
    this.caStore = dir.resolve("ca.p12");
    this.caPem = dir.resolve("ca.pem");
  }

  /** A new CA in a new temporary directory. */
  public static TestPki create() {
    Path dir;
    try {
      dir = Files.createTempDirectory("riata-pki");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TestPki pki = new TestPki(dir);
    try {
      pki.keytool("-genkeypair", "-alias", "ca", "-dname", "CN=Riata Test CA", "-ext", "bc:c",
          "-keystore", pki.caStore.toString());
      pki.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", pki.caStore.toString(),
          "-file", pki.caPem.toString());
      return pki;
    } catch (RuntimeException e) {
      pki.close();
      throw e;
    }
  }

  /** The test CA's certificate, PEM. */
  public Path caPem() {
    return caPem;
  }

  /** The directory everything lives in (deleted on close), for further files of a test. */
  public Path dir() {
    return dir;
  }

  /** A key store for {@code host} whose certificate the test CA signed (SAN {@code dns:host}). */
  public Path signedServer(String name, String host) {
    Path store = dir.resolve(name + ".p12");
    Path request = dir.resolve(name + ".csr");
    Path signed = dir.resolve(name + ".crt");
    keytool("-genkeypair", "-alias", "server", "-dname", "CN=" + host, "-keystore", store.toString());
    keytool("-certreq", "-alias", "server", "-keystore", store.toString(), "-file", request.toString());
    keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-infile", request.toString(),
        "-outfile", signed.toString(), "-ext", "san=dns:" + host, "-ext", "eku=serverAuth");
    replaceChain(store, signed, caPem);
    return store;
  }

  /** A key store for {@code host} with a self-signed certificate: its issuer is a CA nobody was told to trust. */
  public Path selfSignedServer(String name, String host) {
    Path store = dir.resolve(name + ".p12");
    keytool("-genkeypair", "-alias", "server", "-dname", "CN=" + host, "-ext", "san=dns:" + host,
        "-keystore", store.toString());
    return store;
  }

  /** A server-side TLS context presenting the key and chain in {@code keyStore}. */
  public static SSLContext serverContext(Path keyStore) {
    try {
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(keyStore), PASSWORD.toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot use " + keyStore, e);
    }
  }

  /**
   * Puts the signed certificate, with the CA's above it, in place of the server's self-signed
   * one: what two {@code keytool -importcert} runs would do, without two more JVM starts.
   */
  private static void replaceChain(Path keyStore, Path signed, Path ca) {
    try {
      KeyStore store = load(keyStore);
      Key key = store.getKey("server", PASSWORD.toCharArray());
      List<Certificate> chain = new ArrayList<>();
      CertificateFactory x509 = CertificateFactory.getInstance("X.509");
      for (Path pem : List.of(signed, ca)) {
        try (InputStream in = Files.newInputStream(pem)) {
          chain.add(x509.generateCertificate(in));
        }
      }
      store.setKeyEntry("server", key, PASSWORD.toCharArray(), chain.toArray(Certificate[]::new));
      try (OutputStream out = Files.newOutputStream(keyStore)) {
        store.store(out, PASSWORD.toCharArray());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot update " + keyStore, e);
    }
  }

  private static KeyStore load(Path keyStore) throws GeneralSecurityException {
    try (InputStream in = Files.newInputStream(keyStore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, PASSWORD.toCharArray());
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs keytool with the store type, password, key type and validity every call here shares. */
  private void keytool(String command, String... args) {
    // A short-lived JVM: the quick compiler and the serial collector start it in half the time.
    List<String> line = new ArrayList<>(List.of(KEYTOOL, "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", command));
    line.addAll(List.of(args));
    line.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
    if (command.equals("-genkeypair")) {
      // EC keys are made in milliseconds; a day back so clock differences never make one "not yet valid".
      line.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "3", "-startdate", "-1d"));
    } else if (command.equals("-gencert")) {
      line.addAll(List.of("-validity", "3", "-startdate", "-1d"));
    }
    Path log = dir.resolve("keytool.log");
    try {
      Process p = new ProcessBuilder(line).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("keytool " + command + " did not finish within 60 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("keytool " + command + " failed (" + p.exitValue() + "): "
            + Files.readString(log, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
