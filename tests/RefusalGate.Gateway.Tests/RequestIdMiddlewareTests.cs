using RefusalGate.Gateway.RequestIds;

namespace RefusalGate.Gateway.Tests;

public sealed class RequestIdMiddlewareTests
{
    [Theory]
    [InlineData("abc-123", true)]
    [InlineData("req_01HZX.trace:7", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("new\nline", false)]
    [InlineData("ünïcode", false)]
    public void Accepts_only_short_safe_tokens(string id, bool expected) =>
        RequestIdMiddleware.IsAcceptable(id).ShouldBe(expected);

    [Fact]
    public void Rejects_overlong_ids() => RequestIdMiddleware.IsAcceptable(new string('a', 129)).ShouldBeFalse();

    [Fact]
    public void New_ids_are_unique_and_acceptable()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => RequestIdMiddleware.NewId()).ToList();

        ids.Distinct().Count().ShouldBe(100);
        ids.ShouldAllBe(id => RequestIdMiddleware.IsAcceptable(id));
    }
}
