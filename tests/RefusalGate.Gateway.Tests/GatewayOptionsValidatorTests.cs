using RefusalGate.Gateway.Configuration;

namespace RefusalGate.Gateway.Tests;

public sealed class GatewayOptionsValidatorTests
{
    [Fact]
    public void Valid_options_pass()
    {
        var options = new GatewayOptions();
        options.Upstreams["openai"] = new UpstreamOptions { BaseUrl = "https://api.openai.com/v1" };

        new GatewayOptionsValidator().Validate(null, options).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var options = new GatewayOptions { MaxRequestBodyBytes = 10 };
        options.Upstreams["bad"] = new UpstreamOptions { BaseUrl = "ftp://nope", Timeout = TimeSpan.Zero, ApiKeyEnvironmentVariable = "REFUSALGATE_SURELY_UNSET_VARIABLE" };

        var result = new GatewayOptionsValidator().Validate(null, options);

        result.Failed.ShouldBeTrue();
        var failures = result.Failures!.ToList();
        failures.Count.ShouldBe(4);
        failures.ShouldContain(f => f.Contains("MaxRequestBodyBytes"));
        failures.ShouldContain(f => f.Contains("Gateway:Upstreams:bad:BaseUrl"));
        failures.ShouldContain(f => f.Contains("Timeout"));
        failures.ShouldContain(f => f.Contains("REFUSALGATE_SURELY_UNSET_VARIABLE"));
    }

    [Theory]
    [InlineData("https://app.example.com", true)]
    [InlineData("http://localhost:3000", true)]
    [InlineData("*", true)]
    [InlineData("https://app.example.com/", false)]
    [InlineData("https://app.example.com/path", false)]
    [InlineData("app.example.com", false)]
    [InlineData("https://app.example.com:443", false)] // browsers send it without the default port: it would never match
    public void Cors_origins_are_origins_as_browsers_send_them(string origin, bool valid)
    {
        var options = new GatewayOptions();
        options.Upstreams["openai"] = new UpstreamOptions { BaseUrl = "https://api.openai.com/v1" };
        options.Cors.AllowedOrigins.Add(origin);

        var result = new GatewayOptionsValidator().Validate(null, options);

        result.Succeeded.ShouldBe(valid, result.FailureMessage);
    }

    [Fact]
    public void No_upstream_says_how_to_fix_it()
    {
        var result = new GatewayOptionsValidator().Validate(null, new GatewayOptions());

        result.FailureMessage!.ShouldContain("--demo");
    }
}
