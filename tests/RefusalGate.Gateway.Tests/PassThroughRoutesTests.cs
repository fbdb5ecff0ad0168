using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Configuration;
using RefusalGate.Gateway.Gate;

namespace RefusalGate.Gateway.Tests;

/// <summary>
/// <c>Gateway:PassThrough</c>: which requests the gate does not judge are forwarded. Paths are read as leniently as the
/// completion routes are (<see cref="GatedRoutes.Normalise"/>), so no spelling of a denied route slips past.
/// </summary>
public sealed class PassThroughRoutesTests
{
    private static readonly string[] SafeList = ["GET /v1/models", "GET /v1/models/*", "POST /v1/embeddings"];

    [Theory]
    [InlineData("POST", "/v1/responses")]
    [InlineData("POST", "/v1/threads/thread_1/runs")]
    [InlineData("GET", "/v1/realtime")]
    [InlineData("OPTIONS", "/v1/chat/completions")]
    public void By_default_every_route_is_forwarded(string method, string path)
    {
        var routes = Routes(new PassThroughOptions());

        routes.IsUnrestricted.ShouldBeTrue();
        routes.Allows(method, path).ShouldBeTrue();
    }

    [Theory]
    [InlineData("GET", "/v1/models", true)]
    [InlineData("HEAD", "/v1/models", true)]
    [InlineData("get", "/v1/models", true)]
    [InlineData("GET", "/v1/models/gpt-4o", true)]
    [InlineData("GET", "/V1/Models/GPT-4o", true)]
    [InlineData("GET", "/v1/models/a/b", false)]
    [InlineData("DELETE", "/v1/models/ft-1", false)]
    [InlineData("POST", "/v1/embeddings", true)]
    [InlineData("GET", "/v1/embeddings", false)]
    [InlineData("POST", "/v1/responses", false)]
    [InlineData("POST", "/v1/engines/davinci/completions", false)]
    [InlineData("OPTIONS", "/v1/chat/completions", false)]
    [InlineData("GET", "/v1", false)]
    public void An_allow_list_forwards_only_what_it_names(string method, string path, bool allowed)
    {
        Routes(new PassThroughOptions { Allow = [.. SafeList] }).Allows(method, path).ShouldBe(allowed);
    }

    [Theory]
    [InlineData("/v1//responses")]
    [InlineData("/V1/Responses;x")]
    [InlineData("/v1/responses/")]
    [InlineData("/v1\\responses")]
    [InlineData("/v1/models%2F..%2Fresponses")]
    [InlineData("/v1/models/..;/responses")]
    [InlineData("/v1/embeddings;a/../responses")]
    public void A_spelling_a_lenient_upstream_reads_as_a_denied_route_is_denied(string path)
    {
        Routes(new PassThroughOptions { Allow = [.. SafeList] }).Allows("POST", path).ShouldBeFalse();
        Routes(new PassThroughOptions { Deny = ["POST /v1/responses"] }).Allows("POST", path).ShouldBeFalse();
    }

    [Theory]
    [InlineData("/v1//models")]
    [InlineData("/V1/MODELS;x")]
    [InlineData("/v1/models/")]
    public void A_spelling_of_an_allowed_route_is_allowed(string path)
    {
        Routes(new PassThroughOptions { Allow = [.. SafeList] }).Allows("GET", path).ShouldBeTrue();
    }

    [Fact]
    public void Deny_wins_over_allow()
    {
        var routes = Routes(new PassThroughOptions { Allow = ["* /v1/**"], Deny = ["POST /v1/responses", "* /v1/threads/**"] });

        routes.Allows("GET", "/v1/files/file-1/content").ShouldBeTrue();
        routes.Allows("POST", "/v1/responses").ShouldBeFalse();
        routes.Allows("GET", "/v1/responses/resp_1").ShouldBeTrue();
        routes.Allows("POST", "/v1/threads").ShouldBeFalse();
        routes.Allows("POST", "/v1/threads/thread_1/runs").ShouldBeFalse();
    }

    [Theory]
    [InlineData("/v1/files", true)]
    [InlineData("/v1/files/file-1", true)]
    [InlineData("/v1/files/file-1/content", true)]
    [InlineData("/v1/filesx", false)]
    [InlineData("/v1/batches", false)]
    public void A_double_star_matches_any_number_of_segments(string path, bool allowed)
    {
        Routes(new PassThroughOptions { Allow = ["GET /v1/files/**"] }).Allows("GET", path).ShouldBe(allowed);
    }

    [Theory]
    [InlineData("/v1/models/gpt-4o", true)]
    [InlineData("/v1/models/gpt-", true)]
    [InlineData("/v1/models/o1-gpt-mini", false)]
    [InlineData("/v1/models/gpt-4o-mini-2024", true)]
    public void A_star_inside_a_segment_matches_within_it(string path, bool allowed)
    {
        Routes(new PassThroughOptions { Allow = ["GET /v1/models/gpt-*"] }).Allows("GET", path).ShouldBe(allowed);
    }

    [Fact]
    public void Deny_alone_forwards_everything_else()
    {
        var routes = Routes(new PassThroughOptions { Deny = ["* /v1/**"] });

        routes.IsUnrestricted.ShouldBeFalse();
        routes.Allows("GET", "/v1/models").ShouldBeFalse();
        routes.Allows("OPTIONS", "/v1/chat/completions").ShouldBeFalse();
    }

    [Theory]
    [InlineData("/v1/models")]
    [InlineData("/v1/models/gpt-4o")]
    [InlineData("/")]
    [InlineData("/V1/models")]
    [InlineData("/v1//models")]
    [InlineData("/v1/models/")]
    [InlineData("/v1/models;a")]
    [InlineData("/v1/a%2Fb")]
    [InlineData("/v1\\models")]
    [InlineData("/v1/./models")]
    [InlineData("/v1/../models")]
    [InlineData("/v1/..")]
    [InlineData("/v1/.")]
    [InlineData("/v1/.x/..y")]
    [InlineData("/v1/É")]
    [InlineData("")]
    public void A_path_is_read_as_already_normal_only_when_normalising_would_not_change_it(string path)
    {
        GatedRoutes.IsNormal(path).ShouldBe(path.Length > 0 && GatedRoutes.Normalise(path) == path);
    }

    [Theory]
    [InlineData("GET /v1/models")]
    [InlineData("* /v1/**")]
    [InlineData("get /V1/Models/*")]
    [InlineData("  POST   /v1/embeddings ")]
    [InlineData("GET /v1/models/gpt-*-mini")]
    [InlineData("GET /v1")]
    public void A_well_formed_entry_parses(string entry)
    {
        PassThroughRoute.TryParse(entry, out var route, out var problem).ShouldBeTrue(problem);
        route.ShouldNotBeNull();
    }

    [Theory]
    [InlineData("", "method and a path")]
    [InlineData("/v1/models", "method and a path")]
    [InlineData("GET", "method and a path")]
    [InlineData("GET /v1/models extra", "method and a path")]
    [InlineData("G3T /v1/models", "method")]
    [InlineData("GET v1/models", "/v1")]
    [InlineData("GET /models", "/v1")]
    [InlineData("GET /v2/models", "/v1")]
    [InlineData("GET /v1x/models", "/v1")]
    [InlineData("GET /v1/models/", "ends with '/'")]
    [InlineData("GET /v1//models", "empty segment")]
    [InlineData("GET /v1/models;x", "';'")]
    [InlineData("GET /v1/a%2Fb", "'%'")]
    [InlineData("GET /v1/a\\b", "'\\'")]
    [InlineData("GET /v1/models?x=1", "'?'")]
    [InlineData("GET /v1/./models", "'.' or '..'")]
    [InlineData("GET /v1/**/models", "'**'")]
    [InlineData("GET /v1/models**", "'**'")]
    public void A_malformed_entry_is_refused_with_the_reason(string entry, string reason)
    {
        PassThroughRoute.TryParse(entry, out _, out var problem).ShouldBeFalse();
        problem.ShouldNotBeNull().ShouldContain(reason);
    }

    [Fact]
    public void The_validator_names_each_malformed_entry()
    {
        var options = new GatewayOptions { PassThrough = new PassThroughOptions { Allow = ["GET /v1/models", "GET models"], Deny = ["POST /v1/responses/"] } };
        options.Upstreams["openai"] = new UpstreamOptions { BaseUrl = "https://api.openai.com/v1" };

        var result = new GatewayOptionsValidator().Validate(null, options);

        result.Failed.ShouldBeTrue();
        result.Failures!.Count().ShouldBe(2);
        result.Failures!.ShouldContain(f => f.StartsWith("Gateway:PassThrough:Allow:1 ", StringComparison.Ordinal) && f.Contains("'GET models'"));
        result.Failures!.ShouldContain(f => f.StartsWith("Gateway:PassThrough:Deny:0 ", StringComparison.Ordinal) && f.Contains("'POST /v1/responses/'"));
    }

    [Fact]
    public void A_malformed_entry_fails_start_up_with_the_setting_named()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Upstreams:main:BaseUrl"] = "http://127.0.0.1:1/v1",
            ["Gateway:PassThrough:Allow:0"] = "GET /v1/models",
            ["Gateway:PassThrough:Allow:1"] = "POST/v1/embeddings",
        }).Build();
        var services = new ServiceCollection();
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.SectionName));
        services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        using var provider = services.BuildServiceProvider();

        var error = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GatewayOptions>>().Value);

        error.Message.ShouldContain("Gateway:PassThrough:Allow:1");
        error.Message.ShouldContain("'POST/v1/embeddings'");
    }

    [Fact]
    public void The_default_check_allocates_nothing()
    {
        var routes = Routes(new PassThroughOptions());
        var restricted = Routes(new PassThroughOptions { Allow = [.. SafeList] });
        var path = new PathString("/v1/models/gpt-4o");
        routes.Allows("GET", path);
        restricted.Allows("GET", path);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            routes.Allows("POST", path);
            restricted.Allows("GET", path);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }

    private static PassThroughRoutes Routes(PassThroughOptions passThrough) =>
        new(Options.Create(new GatewayOptions { PassThrough = passThrough }));
}
