using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RefusalGate.Classification.Prediction;
using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.Gate.Parsing;
using RefusalGate.Gateway.Hosting;
using RefusalGate.Gateway.Policies.Tenancy;

/// <summary>
/// The cost of the policy decision alone (tenant, policy resolution, zone, action; no self-prediction call): the policy
/// stage on a request whose prediction is already made. Reports p50/p99 per decision and the ratio to the simplest case.
/// </summary>
internal static class PolicyDecisionBench
{
    public static async Task RunAsync(int iterations)
    {
        var directory = Directory.CreateTempSubdirectory("refusalgate-bench-policies-").FullName;
        try
        {
            var simple = Path.Combine(directory, "simple");
            var large = Path.Combine(directory, "large");
            Directory.CreateDirectory(simple);
            Directory.CreateDirectory(large);
            await File.WriteAllTextAsync(Path.Combine(simple, "policy.yaml"), "version: 1\npolicy:\n  selfPrediction: { mode: off }\n");
            await File.WriteAllTextAsync(Path.Combine(large, "policy.yaml"), LargePolicy());

            var cases = new (string Name, string Directory, float Probability, string Model, string? ApiKey)[]
            {
                ("built-in policy, comply zone → allow (baseline)", simple, 0.05f, "demo-model", null),
                ("built-in policy, refuse zone → annotate", simple, 0.95f, "demo-model", null),
                ("built-in policy, band → strict (rewrites body)", simple, 0.5f, "demo-model", null),
                ("40 overrides + tenant by API key hash → block", large, 0.95f, "model-17-large", "sk-tenant-7"),
            };

            Console.WriteLine($"Policy decision (policy stage, prediction given, no self-prediction): {iterations} decisions per case after warm-up.");
            Console.WriteLine($"{"case",-50} {"p50 µs",8} {"p99 µs",8} {"p50 ratio",10}");
            double? baseline = null;
            foreach (var (name, policyDirectory, probability, model, apiKey) in cases)
            {
                var timings = await MeasureAsync(policyDirectory, probability, model, apiKey, iterations);
                var p50 = BenchStatistics.Percentile(timings, 0.5);
                baseline ??= p50;
                Console.WriteLine($"{name,-50} {p50,8:0.00} {BenchStatistics.Percentile(timings, 0.99),8:0.00} {p50 / baseline.Value,10:0.00}");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<double[]> MeasureAsync(string policyDirectory, float probability, string model, string? apiKey, int iterations)
    {
        var builder = GatewayHost.CreateBuilder(new GatewayHostSettings
        {
            Urls = "http://127.0.0.1:0",
            Overrides = new(StringComparer.OrdinalIgnoreCase)
            {
                ["Gateway:Upstreams:main:BaseUrl"] = "http://127.0.0.1:9/v1",
                ["Policies:Directory"] = policyDirectory,
                ["Policies:Watch"] = "false",
            },
        });
        await using var app = GatewayHost.Build(builder);
        var stage = app.Services.GetServices<IGateStage>().Single(s => s.Name == "policy");
        var categories = new Dictionary<string, float> { ["violent_crimes"] = probability * 0.7f, ["hate"] = probability * 0.2f };
        var prediction = new PromptPrediction(probability, probability >= 0.48f, Math.Max(probability, 1 - probability), probability >= 0.48f ? "violent_crimes" : "none", categories);
        var body = Encoding.UTF8.GetBytes("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"How do I pick a lock?\"}]}");

        var timings = new double[iterations];
        for (var i = -2000; i < iterations; i++)
        {
            // A fresh request each time (actions rewrite it); only the stage itself is timed.
            LlmRequestParser.TryParse(body, LlmEndpoint.ChatCompletions, out var request, out _);
            var http = new DefaultHttpContext();
            if (apiKey is not null)
            {
                http.Request.Headers.Authorization = "Bearer " + apiKey;
            }

            var context = new GateContext(http, request, "main") { Prediction = prediction };
            var started = Stopwatch.GetTimestamp();
            await stage.InvokeAsync(context, CancellationToken.None);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            if (i >= 0)
            {
                timings[i] = elapsed;
            }
        }

        return timings;
    }

    private static string LargePolicy()
    {
        var yaml = new StringBuilder("version: 1\ntenants:\n  header: x-tenant-id\n  apiKeys:\n");
        for (var t = 0; t < 10; t++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    - {{ sha256: {TenantResolver.KeyHash($"sk-tenant-{t}")}, tenant: tenant-{t} }}\n");
        }

        yaml.Append("policy:\n  selfPrediction: { mode: off }\noverrides:\n");
        for (var o = 0; o < 30; o++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - {{ match: {{ model: \"model-{o}-*\" }}, policy: {{ thresholds: {{ refuse: 0.7 }}, actions: {{ refuse: annotate }} }} }}\n");
        }

        for (var t = 0; t < 10; t++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - {{ match: {{ tenant: tenant-{t} }}, policy: {{ actions: {{ refuse: block }} }} }}\n");
        }

        return yaml.ToString();
    }
}
