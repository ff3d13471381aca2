package io.riata.http.data;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The data plane's threads: one group of event loops shared by the RPC listener and the upstream
 * client, so that an attempt runs on the event loop of the client connection it serves. Native
 * epoll where the platform has it, Java NIO elsewhere.
 */
public final class EventLoops implements AutoCloseable {

  private final EventLoopGroup group;
  private final boolean epoll;
  private final List<EventLoop> loops;

  private EventLoops(EventLoopGroup group, boolean epoll) {
    this.group = group;
    this.epoll = epoll;
    List<EventLoop> all = new ArrayList<>();
    group.forEach(executor -> all.add((EventLoop) executor));
    this.loops = List.copyOf(all);
  }

  /** @param threads event loops to run; 0 for one per available processor */
  public static EventLoops start(int threads) {
    return start(threads, "riata-data");
  }

  /** The same with threads named {@code threadName-...}. */
  public static EventLoops start(int threads, String threadName) {
    int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new EventLoops(new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory(threadName, true), io), epoll);
  }

  public EventLoopGroup group() {
    return group;
  }

  /** Every event loop of the group, in a fixed order. */
  public List<EventLoop> loops() {
    return loops;
  }

  public boolean epoll() {
    return epoll;
  }

  public Class<? extends SocketChannel> socketChannel() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  public Class<? extends ServerSocketChannel> serverChannel() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
