package io.riata.http.ops;

import java.time.Duration;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * One operator-port connection, between Pekko HTTP's parser and the routes: while no request is
 * being answered, the next request's head must arrive within the timeout, or the connection is
 * closed without an answer (there is no request to answer).
 *
 * <p>Pekko HTTP has no header-read timeout: its idle timeout starts again with every byte, so a
 * client sending one header byte a second would hold the connection for ever, and its request
 * timeout only starts once the head has been parsed. The parser hands a request on only when its
 * head is complete, so from here a client trickling its head and one idling between requests look
 * the same: both are given the same time. After a WebSocket upgrade the requests end and so does
 * the clock.
 */
final class RequestHeadDeadline extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {

  private static final String TIMER = "head";

  private final Inlet<HttpRequest> fromClient = Inlet.create("RequestHeadDeadline.fromClient");
  private final Outlet<HttpRequest> toRoutes = Outlet.create("RequestHeadDeadline.toRoutes");
  private final Inlet<HttpResponse> fromRoutes = Inlet.create("RequestHeadDeadline.fromRoutes");
  private final Outlet<HttpResponse> toClient = Outlet.create("RequestHeadDeadline.toClient");
  private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
      BidiShape.of(fromClient, toRoutes, fromRoutes, toClient);
  private final Duration timeout;
  private final Runnable onExpiry;

  RequestHeadDeadline(Duration timeout, Runnable onExpiry) {
    this.timeout = timeout;
    this.onExpiry = onExpiry;
  }

  @Override
  public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      private int unanswered;

      {
        setHandler(fromClient, new AbstractInHandler() {
          @Override
          public void onPush() {
            unanswered++;
            cancelTimer(TIMER);
            push(toRoutes, grab(fromClient));
          }

          @Override
          public void onUpstreamFinish() {
            cancelTimer(TIMER);
            complete(toRoutes);
          }
        });
        setHandler(toRoutes, demandFor(fromClient));
        setHandler(fromRoutes, new AbstractInHandler() {
          @Override
          public void onPush() {
            push(toClient, grab(fromRoutes));
            if (--unanswered == 0 && !isClosed(fromClient)) {
              scheduleOnce(TIMER, timeout);
            }
          }

          @Override
          public void onUpstreamFinish() {
            complete(toClient);
          }
        });
        setHandler(toClient, demandFor(fromRoutes));
      }

      /** Passes an outlet's demand, and its cancellation, to the inlet of the same direction. */
      private AbstractOutHandler demandFor(Inlet<?> in) {
        return new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(in);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(in, cause);
          }
        };
      }

      @Override
      public void preStart() {
        scheduleOnce(TIMER, timeout);
      }

      @Override
      public void onTimer(Object key) {
        onExpiry.run();
        completeStage();
      }
    };
  }
}
