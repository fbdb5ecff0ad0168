using Microsoft.AspNetCore.Http;
using RefusalGate.Gateway.Policies.Tenancy;

namespace RefusalGate.Gateway.Tests.Policies;

public sealed class TenantResolverTests
{
    private static readonly TenantResolver Resolver = new(
        "x-tenant-id",
        new Dictionary<string, string> { [TenantResolver.KeyHash("sk-acme")] = "acme" },
        ["globex"]);

    private static HttpRequest Request(string? tenant = null, string? key = null)
    {
        var context = new DefaultHttpContext();
        if (tenant is not null)
        {
            context.Request.Headers["x-tenant-id"] = tenant;
        }

        if (key is not null)
        {
            context.Request.Headers.Authorization = $"Bearer {key}";
        }

        return context.Request;
    }

    [Fact]
    public void The_header_names_the_tenant_and_the_api_key_is_the_fallback()
    {
        Resolver.Resolve(Request("globex", "sk-acme")).ShouldBe("globex");
        Resolver.Resolve(Request(key: "sk-acme")).ShouldBe("acme");
        Resolver.Resolve(Request(key: "sk-someone-else")).ShouldBeNull();
        Resolver.Resolve(Request()).ShouldBeNull();
    }

    [Fact]
    public void Labels_are_bounded_to_known_tenants()
    {
        Resolver.Label("acme").ShouldBe("acme");
        Resolver.Label("globex").ShouldBe("globex");
        Resolver.Label("anything-a-client-sends").ShouldBe(TenantResolver.Unknown);
        Resolver.Label(null).ShouldBe(TenantResolver.None);
    }
}
