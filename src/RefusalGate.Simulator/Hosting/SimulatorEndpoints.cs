using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RefusalGate.Simulator.Planning;
using RefusalGate.Simulator.Protocol;
using RefusalGate.Simulator.Rules;

namespace RefusalGate.Simulator.Hosting;

/// <summary>
/// The simulated OpenAI-compatible API: chat and text completions and the Responses API's create call (whole or
/// streamed), the model list, and OpenAI's 404 for anything else.
/// </summary>
public static class SimulatorEndpoints
{
    /// <summary>How long a cut stream's last chunks get to reach the socket before the connection is aborted.</summary>
    private const int CutGraceMs = 250;

    public static IEndpointRouteBuilder MapSimulator(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/chat/completions", (HttpContext context) => CompleteAsync(context, SimulatedApi.ChatCompletions));
        endpoints.MapPost("/v1/completions", (HttpContext context) => CompleteAsync(context, SimulatedApi.Completions));
        endpoints.MapPost("/v1/responses", (HttpContext context) => CompleteAsync(context, SimulatedApi.Responses));
        endpoints.MapGet("/v1/models", ListModels);
        endpoints.MapGet("/_simulator/stats", (SimulatorStats stats) => Results.Json(new
        {
            total_requests = stats.TotalRequests,
            introspection_requests = stats.IntrospectionRequests,
            prompt_requests = stats.PromptRequests,
            aborted_by_client = stats.AbortedByClient,
            recent = stats.Recent,
        }));

        // OpenAI answers a route it does not serve with a JSON 404 naming it; clients show that message. The request is
        // still recorded, so tests can tell a route the gateway forwarded (e.g. /v1/threads/runs) from one it refused.
        endpoints.MapFallback((HttpContext context) =>
        {
            Record(context, body: null, isIntrospection: false);
            return WriteErrorAsync(
                context, StatusCodes.Status404NotFound, new RequestError($"Invalid URL ({context.Request.Method} {context.Request.Path})"), "invalid_request_error", context.RequestAborted);
        });
        return endpoints;
    }

    private static IResult ListModels(HttpContext context, SimulatorRules rules)
    {
        Record(context, body: null, isIntrospection: false);
        return Results.Json(new
        {
            @object = "list",
            data = rules.Models.Select(m => new { id = m, @object = "model", created = 1_700_000_000, owned_by = "refusalgate-simulator" }),
        });
    }

    private static async Task CompleteAsync(HttpContext context, SimulatedApi api)
    {
        var planner = context.RequestServices.GetRequiredService<ResponsePlanner>();
        var cancellationToken = context.RequestAborted;

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, cancellationToken);
        var bodyBytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        var body = Encoding.UTF8.GetString(bodyBytes.Span);

        var isValid = TryReadRequest(bodyBytes, api, out var request, out var error);
        ResponsePlan? plan = null;
        try
        {
            plan = isValid ? planner.Plan(request) : null;
        }
        finally
        {
            // Planning decides whether this is an introspection request, so the request is recorded after it; the
            // finally keeps every request counted even if planning fails, and it still runs before any response byte.
            Record(context, body, isIntrospection: plan?.Source == ResponseSource.Introspection);
        }

        if (plan is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, error, "invalid_request_error", cancellationToken);
            return;
        }

        if (plan.InitialDelayMs > 0)
        {
            await Task.Delay(plan.InitialDelayMs, cancellationToken);
        }

        switch (plan.Fault?.Kind)
        {
            case FaultKind.Status:
                await WriteErrorAsync(context, plan.Fault.Status, new RequestError($"Simulated upstream failure ({plan.Fault.Status})."), "server_error", cancellationToken);
                return;
            case FaultKind.Reset:
                context.Abort();
                return;
        }

        if (api == SimulatedApi.Responses)
        {
            await AnswerResponsesAsync(context, plan, request, cancellationToken);
            return;
        }

        var writer = new OpenAiResponseWriter(context.Response, request.Model, api == SimulatedApi.ChatCompletions);
        if (!request.Stream)
        {
            await writer.WriteWholeAsync(plan.Text, request.Choices, request.PromptTokens, cancellationToken);
            return;
        }

        try
        {
            await StreamAsync(context, writer, plan, request, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            context.RequestServices.GetRequiredService<SimulatorStats>().RecordAbortedByClient();
        }
    }

    private static bool TryReadRequest(ReadOnlyMemory<byte> body, SimulatedApi api, out SimulatedRequest request, out RequestError error)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return api == SimulatedApi.Responses
                ? OpenAiRequestReader.TryReadResponses(document.RootElement, out request, out error)
                : OpenAiRequestReader.TryRead(document.RootElement, api == SimulatedApi.ChatCompletions, out request, out error);
        }
        catch (JsonException ex)
        {
            request = null!;
            error = new RequestError($"Invalid JSON: {ex.Message}");
            return false;
        }
    }

    private static async Task StreamAsync(HttpContext context, OpenAiResponseWriter writer, ResponsePlan plan, SimulatedRequest request, CancellationToken cancellationToken)
    {
        var rules = context.RequestServices.GetRequiredService<SimulatorRules>();
        var chunks = SplitIntoChunks(plan.Text, Math.Max(1, rules.Latency.WordsPerChunk));
        writer.StartStream();

        // A cut comes after half the chunks, and after at least one, so the client has a status line and part of
        // the answer, as when a real upstream breaks off mid-stream; a one-chunk answer is cut before its finish reason.
        int? cutAfter = plan.Fault?.Kind == FaultKind.CutStream ? Math.Max(1, chunks.Count / 2) : null;
        for (var i = 0; i < chunks.Count; i++)
        {
            if (i == cutAfter)
            {
                await CutAsync(context, cancellationToken);
                return;
            }

            if (i > 0 && plan.ChunkDelayMs > 0)
            {
                await Task.Delay(plan.ChunkDelayMs, cancellationToken);
            }

            // Choices interleave as OpenAI's do: each round of chunks carries the next piece of every choice.
            for (var choice = 0; choice < request.Choices; choice++)
            {
                await writer.WriteChunkAsync(chunks[i], first: i == 0, finishReason: null, choice, request.IncludeUsage, cancellationToken);
            }
        }

        if (cutAfter is not null)
        {
            await CutAsync(context, cancellationToken);
            return;
        }

        for (var choice = 0; choice < request.Choices; choice++)
        {
            await writer.WriteChunkAsync(null, first: chunks.Count == 0, finishReason: "stop", choice, request.IncludeUsage, cancellationToken);
        }

        if (request.IncludeUsage)
        {
            await writer.WriteUsageChunkAsync(request.PromptTokens, request.Choices * OpenAiResponseWriter.CountTokens(plan.Text), cancellationToken);
        }

        await writer.WriteDoneAsync(cancellationToken);
    }

    /// <summary>The Responses API's answer: the same plan, as a <c>response</c> object or its stream of events.</summary>
    private static async Task AnswerResponsesAsync(HttpContext context, ResponsePlan plan, SimulatedRequest request, CancellationToken cancellationToken)
    {
        var writer = new ResponsesApiWriter(context.Response, request.Model);
        if (!request.Stream)
        {
            await writer.WriteWholeAsync(plan.Text, request.PromptTokens, cancellationToken);
            return;
        }

        try
        {
            var rules = context.RequestServices.GetRequiredService<SimulatorRules>();
            var chunks = SplitIntoChunks(plan.Text, Math.Max(1, rules.Latency.WordsPerChunk));
            await writer.StartStreamAsync(cancellationToken);

            // Cut as a chat stream is cut (see StreamAsync): after half the deltas, before the terminal event.
            var cutAfter = plan.Fault?.Kind == FaultKind.CutStream ? Math.Max(1, chunks.Count / 2) : (int?)null;
            for (var i = 0; i < chunks.Count && i != cutAfter; i++)
            {
                if (i > 0 && plan.ChunkDelayMs > 0)
                {
                    await Task.Delay(plan.ChunkDelayMs, cancellationToken);
                }

                await writer.WriteDeltaAsync(chunks[i], cancellationToken);
            }

            if (cutAfter is not null)
            {
                await CutAsync(context, cancellationToken);
                return;
            }

            await writer.WriteEndAsync(request.PromptTokens, OpenAiResponseWriter.CountTokens(plan.Text), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            context.RequestServices.GetRequiredService<SimulatorStats>().RecordAbortedByClient();
        }
    }

    /// <summary>
    /// Breaks the connection mid-response. The chunks written so far are flushed only into the server's send pipe, and
    /// an abort discards what has not reached the socket yet, so the bytes get a moment to leave first: without it a
    /// cut arrived before the status line whenever no chunk delay let them out.
    /// </summary>
    private static async Task CutAsync(HttpContext context, CancellationToken cancellationToken)
    {
        await context.Response.Body.FlushAsync(cancellationToken);
        await Task.Delay(CutGraceMs, cancellationToken);
        context.Abort();
    }

    /// <summary>Splits text into chunks of a few words, keeping the spaces so the chunks concatenate to the original.</summary>
    internal static List<string> SplitIntoChunks(string text, int wordsPerChunk)
    {
        var chunks = new List<string>();
        var start = 0;
        var words = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == ' ' && i > start && text[i - 1] != ' ' && ++words == wordsPerChunk)
            {
                chunks.Add(text[start..i]);
                start = i;
                words = 0;
            }
        }

        if (start < text.Length)
        {
            chunks.Add(text[start..]);
        }

        return chunks;
    }

    private static void Record(HttpContext context, string? body, bool isIntrospection)
    {
        var stats = context.RequestServices.GetRequiredService<SimulatorStats>();
        stats.Record(new ReceivedRequest(
            context.Request.Method,
            context.Request.Path,
            body,
            Fingerprint(context.Request.Headers.Authorization.ToString()),
            context.Request.Headers["x-request-id"].ToString() is { Length: > 0 } id ? id : null,
            isIntrospection,
            context.Request.Headers.ContentEncoding.ToString() is { Length: > 0 } encoding ? encoding : null,
            context.Request.Headers["x-refusalgate-annotation"].ToString() is { Length: > 0 } annotation ? annotation : null,
            Fingerprint(context.Request.Headers["api-key"].ToString()),
            context.Request.Headers["OpenAI-Organization"].ToString() is { Length: > 0 } organization ? organization : null,
            [.. context.Request.Headers.Keys.Select(k => k.ToLowerInvariant()).Where(IsClientDetailHeader).Order(StringComparer.Ordinal)]));
    }

    private static bool IsClientDetailHeader(string name) =>
        name is "forwarded" or "x-real-ip" or "cookie" || name.StartsWith("x-forwarded-", StringComparison.Ordinal);

    /// <summary>A secret header as a SHA-256 prefix: enough to tell which key arrived, never the key.</summary>
    private static string? Fingerprint(string secret) =>
        secret.Length == 0 ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))[..16];

    private static async Task WriteErrorAsync(HttpContext context, int status, RequestError error, string type, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new { error = new { message = error.Message, type, param = error.Param, code = error.Code } }, cancellationToken);
    }
}
