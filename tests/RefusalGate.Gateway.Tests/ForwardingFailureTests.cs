using System.Net.Sockets;
using RefusalGate.Gateway.Proxy;
using Yarp.ReverseProxy.Forwarder;

namespace RefusalGate.Gateway.Tests;

public sealed class ForwardingFailureTests
{
    private static readonly Exception StreamCut = new IOException(
        "Unable to read data from the transport connection: Connection reset by peer.",
        new SocketException((int)SocketError.ConnectionReset));

    [Fact]
    public void An_upstream_cutting_its_answer_is_an_upstream_fault_and_the_reason_is_the_sockets_own()
    {
        var failure = new ForwardingFailure(ForwarderError.ResponseBodyDestination, StreamCut);

        failure.Kind.ShouldBe(ForwardingFailureKind.UpstreamFault);
        failure.Reason.ShouldBe(new SocketException((int)SocketError.ConnectionReset).Message);
    }

    [Theory]
    [InlineData(ForwarderError.ResponseBodyClient)]
    [InlineData(ForwarderError.ResponseBodyCanceled)]
    [InlineData(ForwarderError.RequestCanceled)]
    [InlineData(ForwarderError.RequestBodyClient)]
    public void A_client_going_away_is_routine(ForwarderError error) =>
        new ForwardingFailure(error, new OperationCanceledException()).Kind.ShouldBe(ForwardingFailureKind.ClientGone);

    [Fact]
    public void A_request_body_the_server_cannot_read_is_the_clients_doing_whatever_wraps_it()
    {
        // As YARP reports a malformed chunked body on a pass-through route: both copy directions failed, one aggregate.
        var badChunk = new Microsoft.AspNetCore.Http.BadHttpRequestException("Bad chunk size data.");
        var failure = new ForwardingFailure(ForwarderError.RequestBodyClient, new AggregateException(
            badChunk,
            new HttpRequestException("Error while copying content to a stream.", new IOException("An error occurred when reading the request body from the client.", badChunk))));

        failure.Kind.ShouldBe(ForwardingFailureKind.ClientGone);
        failure.Reason.ShouldBe("Bad chunk size data.");
    }

    [Fact]
    public void An_aggregate_holding_an_exception_no_network_fault_throws_is_still_unexpected() =>
        new ForwardingFailure(ForwarderError.RequestBodyClient, new AggregateException(new IOException("reset"), new InvalidOperationException("a transform broke")))
            .Kind.ShouldBe(ForwardingFailureKind.Unexpected);

    [Theory]
    [InlineData(ForwarderError.Request)]
    [InlineData(ForwarderError.RequestTimedOut)]
    [InlineData(ForwarderError.NoAvailableDestinations)]
    public void Unreachable_silent_or_missing_upstreams_are_upstream_faults(ForwarderError error) =>
        new ForwardingFailure(error, error == ForwarderError.NoAvailableDestinations ? null : new HttpRequestException("refused")).Kind
            .ShouldBe(ForwardingFailureKind.UpstreamFault);

    [Theory]
    [InlineData(ForwarderError.ResponseHeaders)]
    [InlineData(ForwarderError.ResponseBodyClient)]
    public void An_exception_no_network_fault_throws_is_unexpected_whoever_it_seems_to_come_from(ForwarderError error) =>
        new ForwardingFailure(error, new InvalidOperationException("a transform broke")).Kind.ShouldBe(ForwardingFailureKind.Unexpected);
}
