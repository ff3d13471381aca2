package io.riata.http.anvil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riata.http.RiataServer;
import io.riata.http.TestNodes;
import io.riata.http.data.RoutingHeaders;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.Transfer;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;
import org.web3j.utils.Convert;

/**
 * Two real Ethereum nodes (Anvil) behind Riata, used by a real client library (web3j): reads, a
 * signed transfer and its receipt all go through the router. The first-priority provider is a
 * closed port, so the router has to route around it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnvilIT {

  private static AnvilProcess anvil;
  private static AnvilProcess second;
  private static RiataServer server;
  private static Web3j web3;

  @BeforeAll
  static void start() throws Exception {
    anvil = AnvilProcess.start(Duration.ofSeconds(1));
    second = AnvilProcess.start(Duration.ofSeconds(1));
    int freePort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      freePort = s.getLocalPort();
    }
    URI dead = URI.create("http://127.0.0.1:" + freePort + "/"); // closed again: connections are refused
    server = TestNodes.start(TestNodes.config(List.of(new io.riata.core.config.ChainConfig(
            "anvil", AnvilProcess.CHAIN_ID, Duration.ofSeconds(1), 3, "priority", 128,
            List.of(TestNodes.provider("dead", dead, 1), TestNodes.provider("anvil", anvil.httpUrl(), 2),
                TestNodes.provider("anvil-2", second.httpUrl(), 3)))),
        List.of()), "");
    web3 = Web3j.build(new HttpService("http://127.0.0.1:" + server.port() + "/rpc/anvil"));
  }

  @AfterAll
  static void stop() {
    if (web3 != null) {
      web3.shutdown();
    }
    if (server != null) {
      server.close();
    }
    if (anvil != null) {
      anvil.close();
    }
    if (second != null) {
      second.close();
    }
  }

  @Test
  @Order(1)
  void readsThroughTheRouter() throws Exception {
    assertEquals(BigInteger.valueOf(AnvilProcess.CHAIN_ID), web3.ethChainId().send().getChainId());
    BigInteger first = web3.ethBlockNumber().send().getBlockNumber();
    BigInteger balance = web3.ethGetBalance(AnvilProcess.DEV_ADDRESS, DefaultBlockParameterName.LATEST).send().getBalance();
    assertTrue(balance.compareTo(Convert.toWei(BigDecimal.valueOf(1000), Convert.Unit.ETHER).toBigInteger()) > 0,
        "anvil funds its dev accounts with 10000 ETH: " + balance);
    Thread.sleep(2100);
    assertTrue(web3.ethBlockNumber().send().getBlockNumber().compareTo(first) > 0, "anvil mines every second");
    assertTrue(web3.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, true).send().getBlock().getHash().startsWith("0x"));
  }

  @Test
  @Order(2)
  void aSignedTransferLandsAndItsReceiptComesBack() throws Exception {
    Credentials credentials = Credentials.create(AnvilProcess.DEV_KEY);
    String to = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    BigInteger before = web3.ethGetBalance(to, DefaultBlockParameterName.LATEST).send().getBalance();
    RawTransactionManager manager = new RawTransactionManager(
        web3, credentials, AnvilProcess.CHAIN_ID, new PollingTransactionReceiptProcessor(web3, 200, 100));
    TransactionReceipt receipt = new Transfer(web3, manager).sendFunds(to, BigDecimal.ONE, Convert.Unit.ETHER).send();
    assertTrue(receipt.isStatusOK(), "receipt status " + receipt.getStatus());
    BigInteger after = web3.ethGetBalance(to, DefaultBlockParameterName.LATEST).send().getBalance();
    assertEquals(Convert.toWei(BigDecimal.ONE, Convert.Unit.ETHER).toBigInteger(), after.subtract(before));
  }

  @Test
  @Order(3)
  void callerErrorsComeBackAsTheNodeSentThem() {
    HttpResponse<String> r = TestNodes.post(server, "/rpc/anvil",
        TestNodes.call("eth_getBalance", "[\"not-an-address\",\"latest\"]", 11));
    var body = TestNodes.json(r.body());
    assertTrue(body.has("error"), r.body());
    assertEquals(11, body.get("id").asInt());
    assertEquals("anvil", r.headers().firstValue(RoutingHeaders.PROVIDER).orElse(""));
  }

  @Test
  @Order(4)
  void readsMoveToTheSecondNodeWhenTheFirstStops() throws Exception {
    anvil.close();
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = TestNodes.post(server, "/rpc/anvil", TestNodes.call("eth_blockNumber", "[]", i));
      var body = TestNodes.json(r.body());
      assertTrue(body.has("result"), "read " + i + " failed after the first node stopped: " + r.body());
      assertEquals("anvil-2", r.headers().firstValue(RoutingHeaders.PROVIDER).orElse(""));
    }
    BigInteger balance = web3.ethGetBalance(AnvilProcess.DEV_ADDRESS, DefaultBlockParameterName.LATEST).send().getBalance();
    assertTrue(balance.signum() > 0);
  }
}
