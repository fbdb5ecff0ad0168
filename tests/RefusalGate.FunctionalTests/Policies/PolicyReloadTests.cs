using RefusalGate.FunctionalTests.Infrastructure;
using RefusalGate.Gateway.Policies;

namespace RefusalGate.FunctionalTests.Policies;

/// <summary>Invalid policies: the gateway refuses to start on them, and a bad hot reload keeps the last good policy.</summary>
public sealed class PolicyReloadTests
{
    private const string BlockEverything = """
        version: 1
        policy:
          thresholds: { refuse: 0, comply: 0 }
          actions: { refuse: block }
        """;

    private const string AllowEverything = """
        version: 1
        policy:
          thresholds: { refuse: 0, comply: 0 }
          actions: { refuse: allow }
        """;

    [Fact]
    public async Task The_gateway_refuses_to_start_on_an_invalid_policy_and_says_where()
    {
        var directory = Directory.CreateTempSubdirectory("refusalgate-policies-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "bad.yaml"), "version: 1\npolicy:\n  actions: { refuse: no-such-action }\n");

            var failure = await Should.ThrowAsync<PolicyLoadException>(() => TestGateway.StartAsync(new() { ["Policies:Directory"] = directory }));

            failure.Message.ShouldContain("bad.yaml:3:");
            failure.Message.ShouldContain("Unknown action 'no-such-action'");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task An_action_the_gateway_cannot_build_is_one_error_at_start_up_not_one_per_use()
    {
        var directory = Directory.CreateTempSubdirectory("refusalgate-policies-").FullName;
        try
        {
            // Valid for `policy check` without a configuration; at start-up the upstream is checked and does not exist.
            await File.WriteAllTextAsync(Path.Combine(directory, "bad.yaml"), """
                version: 1
                actions:
                  reroute: { type: strict, upstream: nowhere }
                  watch: { type: shadow, of: reroute }
                policy:
                  failAction: reroute
                  actions: { uncertain: reroute, refuse: watch }
                """);

            var failure = await Should.ThrowAsync<PolicyLoadException>(() => TestGateway.StartAsync(new() { ["Policies:Directory"] = directory }));

            var error = failure.Errors.ShouldHaveSingleItem().ToString();
            error.ShouldStartWith(Path.Combine(directory, "bad.yaml") + ":3:38: Action 'reroute' routes to upstream 'nowhere', which is not configured");
            failure.Message.ShouldNotContain("Unknown action");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_reload_with_a_number_too_large_to_read_is_a_failed_reload_not_a_stopped_gateway()
    {
        var directory = Directory.CreateTempSubdirectory("refusalgate-policies-").FullName;
        var file = Path.Combine(directory, "policy.yaml");
        await File.WriteAllTextAsync(file, BlockEverything);
        await using var gateway = await TestGateway.StartAsync(new() { ["Policies:Directory"] = directory, ["Policies:ReloadDelay"] = "00:00:00.050" });
        try
        {
            await File.WriteAllTextAsync(file, BlockEverything + "\n  selfPrediction: { budgetPerMinute: 99999999999 }\n");
            await PolicyReloads.WaitUntilAsync(async () => await PolicyReloads.SampleAsync(gateway, PolicyReloads.LastReloadFailed) == "1");

            (await gateway.Http.PostChatAsync("Hello there")).Header("x-refusalgate-decision").ShouldBe("block");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task An_invalid_change_left_in_place_is_one_failure_not_one_per_poll()
    {
        var directory = Directory.CreateTempSubdirectory("refusalgate-policies-").FullName;
        var file = Path.Combine(directory, "policy.yaml");
        await File.WriteAllTextAsync(file, BlockEverything);
        await using var gateway = await TestGateway.StartAsync(new()
        {
            ["Policies:Directory"] = directory,
            ["Policies:ReloadDelay"] = "00:00:00.050",
            ["Policies:PollInterval"] = "00:00:00.100",
        });
        try
        {
            await File.WriteAllTextAsync(file, "version: 1\npolicy:\n  thresholds: { refuse: 2 }\n");
            await PolicyReloads.WaitUntilAsync(async () => await PolicyReloads.SampleAsync(gateway, PolicyReloads.LastReloadFailed) == "1");

            // Many polls read the same bad file (not a latency assertion: with fewer polls the test only proves less).
            await Task.Delay(TimeSpan.FromSeconds(1.5));

            (await PolicyReloads.SampleAsync(gateway, PolicyReloads.Failures)).ShouldBe("1");
            (await PolicyReloads.SampleAsync(gateway, PolicyReloads.LastReloadFailed)).ShouldBe("1");

            // A different bad change is a new failure.
            await File.WriteAllTextAsync(file, "version: 1\npolicy:\n  thresholds: { refuse: 3 }\n");
            await PolicyReloads.WaitUntilAsync(async () => await PolicyReloads.SampleAsync(gateway, PolicyReloads.Failures) == "2");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_bad_reload_keeps_the_last_good_policy_and_a_good_one_takes_over()
    {
        var directory = Directory.CreateTempSubdirectory("refusalgate-policies-").FullName;
        var file = Path.Combine(directory, "policy.yaml");
        await File.WriteAllTextAsync(file, BlockEverything);
        await using var gateway = await TestGateway.StartAsync(new() { ["Policies:Directory"] = directory, ["Policies:ReloadDelay"] = "00:00:00.050" });
        try
        {
            (await gateway.Http.PostChatAsync("Hello there")).Header("x-refusalgate-decision").ShouldBe("block");
            var store = (PolicyStore)gateway.Services.GetService(typeof(PolicyStore))!;
            var good = store.Current;

            await File.WriteAllTextAsync(file, "version: 1\npolicy:\n  thresholds: { refuse: 2 }\n");
            await PolicyReloads.WaitUntilAsync(async () => await PolicyReloads.SampleAsync(gateway, PolicyReloads.LastReloadFailed) == "1");

            store.Current.ShouldBeSameAs(good);
            (await gateway.Http.PostChatAsync("Hello there")).Header("x-refusalgate-decision").ShouldBe("block");
            (await PolicyReloads.SampleAsync(gateway, PolicyReloads.Failures)).ShouldNotBeNull();

            // A Kubernetes ConfigMap update: the new file appears under another name and is moved into place.
            var staged = Path.Combine(directory, ".staged");
            await File.WriteAllTextAsync(staged, AllowEverything);
            File.Move(staged, file, overwrite: true);
            await PolicyReloads.WaitUntilAsync(() => Task.FromResult(!ReferenceEquals(store.Current, good)));

            (await gateway.Http.PostChatAsync("Hello there")).Header("x-refusalgate-decision").ShouldBe("allow");
            (await PolicyReloads.SampleAsync(gateway, PolicyReloads.LastReloadFailed)).ShouldBe("0");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Undoing_a_bad_change_clears_the_failure_and_deleting_every_file_keeps_the_policy()
    {
        var directory = Directory.CreateTempSubdirectory("refusalgate-policies-").FullName;
        var file = Path.Combine(directory, "policy.yaml");
        await File.WriteAllTextAsync(file, BlockEverything);
        await using var gateway = await TestGateway.StartAsync(new() { ["Policies:Directory"] = directory, ["Policies:ReloadDelay"] = "00:00:00.050" });
        try
        {
            await File.WriteAllTextAsync(file, "version: 1\npolicy:\n  thresholds: { refuse: 2 }\n");
            await PolicyReloads.WaitUntilAsync(async () => await PolicyReloads.SampleAsync(gateway, PolicyReloads.LastReloadFailed) == "1");

            // The same good file back, byte for byte: nothing to load, but the failure is over.
            await File.WriteAllTextAsync(file, BlockEverything);
            await PolicyReloads.WaitUntilAsync(async () => await PolicyReloads.SampleAsync(gateway, PolicyReloads.LastReloadFailed) == "0");
            (await PolicyReloads.SampleAsync(gateway, "refusalgate_policy_generation")).ShouldBe("1", "the policy in force is still the start-up one");

            // Every file gone: the strict policy stays (built-in defaults would allow), and the failure is reported.
            File.Delete(file);
            await PolicyReloads.WaitUntilAsync(async () => await PolicyReloads.SampleAsync(gateway, PolicyReloads.LastReloadFailed) == "1");
            (await gateway.Http.PostChatAsync("Hello there")).Header("x-refusalgate-decision").ShouldBe("block");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
