using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Calibration;
using RefusalGate.Gateway.Hosting;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.OutcomeLog;
using RefusalGate.Gateway.Policies;
using RefusalGate.Gateway.Recalibration;

namespace RefusalGate.Gateway.Tests;

/// <summary>
/// The observation, calibration, outcome-log, recalibration and policy-watching settings are checked when options are
/// first read (at start-up, with ValidateOnStart): a bad value fails with the setting named, the defaults pass.
/// </summary>
public sealed class OptionsValidatorTests
{
    [Theory]
    [InlineData("Observation:QueueCapacity", "0")]
    [InlineData("Observation:QueueCapacity", "200000000")]
    [InlineData("Observation:MaxCapturedBytes", "-1")]
    [InlineData("Observation:DetectorWorkers", "0")]
    [InlineData("Observation:DetectorWorkers", "65")]
    [InlineData("Calibration:HighConfidenceThreshold", "1.5")]
    [InlineData("Calibration:MaxModels", "0")]
    [InlineData("Calibration:Window", "-00:01:00")]
    [InlineData("OutcomeLog:BufferCapacity", "0")]
    [InlineData("OutcomeLog:FlushInterval", "00:00:00")]
    [InlineData("OutcomeLog:StreamKey", " ")]
    [InlineData("OutcomeLog:MaxStoredPromptChars", "-5")]
    [InlineData("Recalibration:HoldoutFraction", "1")]
    [InlineData("Recalibration:MinSupportSamples", "-1")]
    [InlineData("Policies:PollInterval", "00:00:00")]
    [InlineData("Policies:ReloadDelay", "-00:00:01")]
    public void A_bad_value_fails_with_the_setting_named(string key, string value)
    {
        using var services = Build(new() { [key] = value });

        var error = Should.Throw<OptionsValidationException>(() => Read(services, key.Split(':')[0]));

        error.Message.ShouldContain(key.Split(':')[1]);
        error.Message.ShouldContain(key.Split(':')[0] + ":");
    }

    [Theory]
    [InlineData("Observation")]
    [InlineData("Calibration")]
    [InlineData("OutcomeLog")]
    [InlineData("Recalibration")]
    [InlineData("Policies")]
    public void The_defaults_pass(string section)
    {
        using var services = Build([]);

        Should.NotThrow(() => Read(services, section));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddRefusalGateObservabilityOptions(configuration);
        services.AddValidatedOptions<PolicyOptions, PolicyOptionsValidator>(configuration, PolicyOptions.SectionName);
        return services.BuildServiceProvider();
    }

    private static object Read(ServiceProvider services, string section) => section switch
    {
        "Observation" => services.GetRequiredService<IOptions<ObservationOptions>>().Value,
        "Calibration" => services.GetRequiredService<IOptions<CalibrationOptions>>().Value,
        "OutcomeLog" => services.GetRequiredService<IOptions<OutcomeLogOptions>>().Value,
        "Policies" => services.GetRequiredService<IOptions<PolicyOptions>>().Value,
        _ => services.GetRequiredService<IOptions<RecalibrationOptions>>().Value,
    };
}
