using Microsoft.AspNetCore.Http;

namespace RefusalGate.Gateway.Gate;

/// <summary>An answer the gate gives itself instead of forwarding (an error, a block message, ...).</summary>
public interface IGateResponse
{
    Task WriteAsync(HttpContext context);
}
