using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Configuration;
using RefusalGate.Gateway.Proxy;

namespace RefusalGate.Gateway.Tests;

public sealed class UpstreamCatalogTests
{
    private static UpstreamCatalog Catalog(params (string Name, string[] Models)[] upstreams)
    {
        var options = new GatewayOptions();
        foreach (var (name, models) in upstreams)
        {
            options.Upstreams[name] = new UpstreamOptions { BaseUrl = $"http://{name}.test/v1", Models = [.. models] };
        }

        return new UpstreamCatalog(Options.Create(options));
    }

    [Fact]
    public void Most_specific_pattern_wins_regardless_of_order()
    {
        var catalog = Catalog(("any", ["*"]), ("openai", ["gpt-*"]), ("mini", ["gpt-4o-mini"]));

        catalog.FindUpstream("gpt-4o-mini").ShouldBe("mini");
        catalog.FindUpstream("gpt-4o").ShouldBe("openai");
        catalog.FindUpstream("llama-3").ShouldBe("any");
        catalog.DefaultUpstream.ShouldBe("any");
    }

    [Fact]
    public void Pass_through_requests_go_to_the_catch_all_that_serves_models()
    {
        // Two catch-alls: equally specific patterns are settled by the upstream's name, for model requests and for
        // requests that name no model (GET /v1/models, embeddings) alike, so both reach the same upstream.
        var catalog = Catalog(("zeta", ["*"]), ("alpha", ["*"]), ("openai", ["gpt-*"]));

        catalog.FindUpstream("llama-3").ShouldBe("alpha");
        catalog.DefaultUpstream.ShouldBe("alpha");
    }

    [Fact]
    public void Upstream_without_models_serves_everything()
    {
        var catalog = Catalog(("local", []));

        catalog.FindUpstream("whatever").ShouldBe("local");
    }

    [Fact]
    public void Unserved_model_has_no_upstream()
    {
        Catalog(("openai", ["gpt-*"])).FindUpstream("claude-3").ShouldBeNull();
    }

    [Fact]
    public void Api_key_comes_from_the_named_environment_variable()
    {
        var variable = "REFUSALGATE_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "sk-from-env");
        try
        {
            var options = new GatewayOptions();
            options.Upstreams["openai"] = new UpstreamOptions { BaseUrl = "https://api.test/v1", ApiKeyEnvironmentVariable = variable };
            options.Upstreams["passthrough"] = new UpstreamOptions { BaseUrl = "https://other.test/v1" };
            var catalog = new UpstreamCatalog(Options.Create(options));

            catalog.TryGetApiKey("openai", out var key).ShouldBeTrue();
            key.ShouldBe("sk-from-env");
            catalog.TryGetApiKey("passthrough", out _).ShouldBeFalse();
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
