using Microsoft.Extensions.Configuration;
using RefusalGate.Cli.Commands;

namespace RefusalGate.Cli.Tests;

/// <summary>The binder's own conversion errors, told in one line; values of settings that may be secrets never are.</summary>
public sealed class UnparseableSettingTests
{
    private static InvalidOperationException BinderError(string key, string value) =>
        Should.Throw<InvalidOperationException>(() => new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [key] = value })
            .Build()
            .GetValue<int>(key));

    [Fact]
    public void Names_the_setting_and_the_value() =>
        UnparseableSetting.Describe(BinderError("Observation:QueueCapacity", "lots")).ShouldBe("Observation:QueueCapacity is 'lots', which is not a valid Int32.");

    [Theory]
    [InlineData("Gateway:Upstreams:main:ApiKey")]
    [InlineData("OutcomeLog:PromptHashSalt")]
    [InlineData("Telemetry:Otlp:Headers")]
    [InlineData("Redis:password")]
    public void Never_echoes_a_value_that_may_be_a_secret(string key)
    {
        var message = UnparseableSetting.Describe(new AggregateException(BinderError(key, "hunter2")));

        message.ShouldNotBeNull().ShouldContain(key);
        message.ShouldNotContain("hunter2");
    }

    [Fact]
    public void Other_errors_are_not_its_business() =>
        UnparseableSetting.Describe(new InvalidOperationException("Sequence contains no elements")).ShouldBeNull();
}
