using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace RefusalGate.FunctionalTests.Infrastructure;

/// <summary>Raw HTTP helpers for the cases an SDK would not send (malformed bodies, odd content types).</summary>
public static class GatewayHttp
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static string ChatBody(string prompt, string model = "demo-model", bool stream = false) =>
        JsonSerializer.Serialize(new { model, stream, messages = new[] { new { role = "user", content = prompt } } });

    public static Task<HttpResponseMessage> PostChatAsync(this HttpClient http, string prompt, string model = "demo-model", bool stream = false) =>
        http.PostAsync("v1/chat/completions", Json(ChatBody(prompt, model, stream)));

    /// <summary>Reads an OpenAI-style error and checks the shape every gateway error must have.</summary>
    public static async Task<JsonElement> ReadErrorAsync(this HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = document.RootElement.GetProperty("error").Clone();
        error.GetProperty("message").GetString().ShouldNotBeNullOrWhiteSpace();
        error.GetProperty("type").GetString().ShouldNotBeNullOrWhiteSpace();
        error.GetProperty("code").GetString().ShouldNotBeNullOrWhiteSpace();
        var requestId = error.GetProperty("request_id").GetString();
        requestId.ShouldNotBeNullOrWhiteSpace();
        response.Headers.GetValues("x-request-id").Single().ShouldBe(requestId);
        return error;
    }

    public static string Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    /// <summary>How the simulated upstream reports the Authorization it saw: the first 16 hex digits of its SHA-256.</summary>
    public static string AuthorizationFingerprint(string authorization) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(authorization)))[..16];

    public static void UseBearer(this HttpClient http, string key) =>
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
}
