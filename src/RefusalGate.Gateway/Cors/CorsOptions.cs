namespace RefusalGate.Gateway.Cors;

/// <summary>
/// <c>Gateway:Cors</c>: browser clients calling the gateway from other origins. Off (no origins, the default), a CORS
/// preflight is forwarded for the provider to answer, as any pass-through request, and responses carry whatever CORS
/// headers the provider sent; the gateway's own answers (a block, an error) then carry none, so a browser hides them.
/// </summary>
public sealed class CorsOptions
{
    /// <summary>Origins allowed to call (<c>https://app.example.com</c>, scheme, host and port), or <c>*</c> for any.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>How long a browser may cache a preflight's answer.</summary>
    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromMinutes(10);

    public bool Enabled => AllowedOrigins.Count > 0;
}
