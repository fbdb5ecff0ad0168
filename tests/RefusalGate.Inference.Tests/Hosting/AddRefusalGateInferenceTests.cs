using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RefusalGate.Inference.Encoding;
using RefusalGate.Inference.Hosting;
using RefusalGate.Inference.Tests.Support;

namespace RefusalGate.Inference.Tests.Hosting;

public sealed class AddRefusalGateInferenceTests
{
    [Fact]
    public async Task Host_warms_up_and_reports_ready_with_the_provider_in_use()
    {
        using var host = BuildHost(new() { ["Inference:ModelDirectory"] = RepoPaths.EncoderDirectory, ["Inference:ExecutionProvider"] = "cuda", ["Inference:IntraOpThreads"] = "1" });
        var readiness = host.Services.GetRequiredService<InferenceReadiness>();
        readiness.IsReady.ShouldBeFalse();

        await host.StartAsync();
        await WaitUntil(() => readiness.IsReady || readiness.Reason != "warming up");

        readiness.IsReady.ShouldBeTrue(readiness.Reason);
        readiness.ExecutionProvider.ShouldBe("CPU"); // CUDA was asked for; the CPU-only runtime fell back
        var encoder = host.Services.GetRequiredService<ISentenceEncoder>();
        (await encoder.EncodeAsync("hello", CancellationToken.None)).Length.ShouldBe(512);
        await host.StopAsync();
    }

    [Fact]
    public async Task Missing_model_directory_fails_start_up_with_the_build_hint()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"no-models-{Guid.NewGuid():N}");
        using var host = BuildHost(new() { ["Inference:ModelDirectory"] = directory });

        var error = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());

        error.Message.ShouldContain(Path.Combine(directory, UseLiteModelFiles.Int8ModelFileName));
        error.Message.ShouldContain("onnx-models/build/build-encoder.sh");
    }

    [Fact]
    public void Invalid_settings_are_reported_together()
    {
        var result = new InferenceOptionsValidator().Validate(null, new InferenceOptions
        {
            ModelDirectory = RepoPaths.EncoderDirectory,
            ExecutionProvider = "tpu",
            MaxBatchSize = 0,
            LengthBuckets = [16, 64],
        });

        result.Failed.ShouldBeTrue();
        result.Failures!.Count().ShouldBe(3);
    }

    [Fact]
    public void Configured_buckets_replace_the_defaults()
    {
        using var host = BuildHost(new() { ["Inference:ModelDirectory"] = RepoPaths.EncoderDirectory, ["Inference:LengthBuckets:0"] = "32", ["Inference:LengthBuckets:1"] = "128" });

        host.Services.GetRequiredService<IOptions<InferenceOptions>>().Value.LengthBuckets.ShouldBe([32, 128]);
    }

    [Fact]
    public void Registrations_can_be_replaced_by_the_host()
    {
        var services = new ServiceCollection();
        var custom = new InferenceReadiness();
        services.AddSingleton(custom);

        services.AddRefusalGateInference(new ConfigurationBuilder().Build());

        services.BuildServiceProvider().GetRequiredService<InferenceReadiness>().ShouldBeSameAs(custom);
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddRefusalGateInference(builder.Configuration.GetSection("Inference"));
        return builder.Build();
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
