using Microsoft.AspNetCore.Http;
using RefusalGate.Gateway.Gate.Parsing;

namespace RefusalGate.Gateway.Tests;

public sealed class RequestBodyReaderTests
{
    private static HttpRequest Request(byte[] body, bool declareLength)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(body);
        if (declareLength)
        {
            context.Request.ContentLength = body.Length;
        }

        return context.Request;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reads_a_body_up_to_the_limit(bool declareLength)
    {
        var body = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();

        var read = await RequestBodyReader.ReadAsync(Request(body, declareLength), 5000, CancellationToken.None);

        read.ShouldNotBeNull();
        read.Value.ToArray().ShouldBe(body);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Refuses_a_body_over_the_limit(bool declareLength)
    {
        var read = await RequestBodyReader.ReadAsync(Request(new byte[5001], declareLength), 5000, CancellationToken.None);

        read.ShouldBeNull();
    }

    [Fact]
    public async Task Reads_an_empty_body()
    {
        var read = await RequestBodyReader.ReadAsync(Request([], declareLength: false), 5000, CancellationToken.None);

        read.ShouldNotBeNull();
        read.Value.Length.ShouldBe(0);
    }
}
