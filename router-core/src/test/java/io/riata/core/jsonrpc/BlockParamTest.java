package io.riata.core.jsonrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BlockParamTest {

  private static long block(String method, String params) {
    return BlockParam.requestedBlock(method, params == null ? null : params.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsTheBlockAtTheMethodsPosition() {
    assertEquals(0x10, block("eth_getBalance", "[\"0xabc\",\"0x10\"]"));
    assertEquals(0x1b4, block("eth_getBlockByNumber", "[ \"0x1b4\" , true]"));
    assertEquals(0xff, block("eth_getStorageAt", "[\"0xabc\",\"0x0\",\"0xff\"]"));
    assertEquals(5, block("eth_call", "[{\"to\":\"0x1\",\"data\":\"0x[,]\"},\"0x5\"]"));
  }

  @Test
  void latestIsToldApartFromTheOtherTagsWhenAsked() {
    byte[] latest = "[\"0xabc\",\"latest\"]".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(BlockParam.LATEST, BlockParam.blockOrLatest("eth_getBalance", latest));
    assertEquals(BlockParam.NONE, BlockParam.requestedBlock("eth_getBalance", latest));
    assertEquals(BlockParam.NONE, BlockParam.blockOrLatest("eth_getBalance",
        "[\"0xabc\",\"pending\"]".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertEquals(0x10, BlockParam.blockOrLatest("eth_getBalance",
        "[\"0xabc\",\"0x10\"]".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void tagsHashesAndUnknownMethodsNameNoBlock() {
    assertEquals(BlockParam.NONE, block("eth_getBalance", "[\"0xabc\",\"latest\"]"));
    assertEquals(0, block("eth_getBalance", "[\"0xabc\",\"earliest\"]"));
    assertEquals(BlockParam.NONE, block("eth_getBalance", "[\"0xabc\",{\"blockHash\":\"0x1\"}]"));
    assertEquals(BlockParam.NONE, block("eth_getBalance", "[\"0xabc\"]"));
    assertEquals(BlockParam.NONE, block("eth_blockNumber", "[]"));
    assertEquals(BlockParam.NONE, block("eth_getBalance", null));
    assertEquals(BlockParam.NONE, block("eth_getBlockByNumber", "[\"0xzz\"]"));
  }
}
