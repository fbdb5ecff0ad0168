using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests.Policies;

/// <summary>
/// A gateway whose policy directory is a temporary folder written by the tests. The policy gives every zone and action
/// its own model glob (all served by the "main" simulated upstream), so each test picks its behaviour by model name:
/// <list type="bullet">
/// <item><c>demo-refuse-*</c>: every prompt is in the refuse zone (refuse threshold 0); <c>demo-comply-*</c>: comply zone.</item>
/// <item><c>demo-band-*</c>: a wide uncertain band (0.05–0.95) with inline self-prediction and fixed fusion weights.</item>
/// <item><c>demo-band-closed-*</c>: the same, failing closed; self-prediction times out after 1 s in both.</item>
/// <item><c>demo-band-closed-budget-*</c>: failing closed with a self-prediction budget of one call a minute.</item>
/// <item><c>demo-comply-unread-*</c>: comply zone, uncertain blocks (self-prediction in band mode); <c>-classify</c> lets the text alone decide.</item>
/// </list>
/// Zone actions per model: <c>demo-refuse-block</c>, <c>-constructive</c>, <c>-annotate</c>, <c>-shadow</c>,
/// <c>-strict</c> (to the "strict" upstream as <c>strict-reviewed</c>), <c>-capped</c> (strict with temperature 0.1 and
/// 50 tokens, to the main upstream); tenant <c>acme</c> (header <c>x-tenant-id</c>) gets
/// <c>block</c> for every zone of <c>demo-tenant-*</c>.
/// </summary>
public sealed class PolicyGateway : IAsyncLifetime
{
    public const string StrictSystemMessage = "STRICT-POLICY: follow the safety rules.";
    public const string BlockMessage = "Blocked by the test policy.";
    public const string ConstructiveMessage = "Here is a safer way to get help.";
    public const string TenantBlockMessage = "Blocked for tenant acme.";

    public const string Policy = """
        version: 1
        tenants:
          header: x-tenant-id
        actions:
          test-block: { type: block, message: "Blocked by the test policy." }
          test-constructive: { type: constructive, message: "Here is a safer way to get help." }
          test-annotate: { type: annotate, headers: { x-policy-note: reviewed } }
          test-shadow: { type: shadow, of: test-block }
          test-strict: { type: strict, systemMessage: "STRICT-POLICY: follow the safety rules.", temperature: 0.1, upstream: strict, model: strict-reviewed }
          test-strict-cap: { type: strict, temperature: 0.1, maxTokens: 50 }
          tenant-block: { type: block, message: "Blocked for tenant acme." }
        policy:
          failMode: open
          thresholds: { refuse: 0.999, comply: 0.001 }
          actions: { refuse: allow, uncertain: allow, comply: allow }
          selfPrediction: { mode: off }
          fusion: { fit: false }
        overrides:
          - { match: { model: "demo-refuse-*" }, policy: { thresholds: { refuse: 0, comply: 0 } } }
          - { match: { model: "demo-comply-*" }, policy: { thresholds: { refuse: 1, comply: 1 } } }
          - { match: { model: "demo-refuse-block*" }, policy: { actions: { refuse: test-block } } }
          - { match: { model: "demo-refuse-constructive*" }, policy: { actions: { refuse: test-constructive } } }
          - { match: { model: "demo-refuse-annotate*" }, policy: { actions: { refuse: test-annotate } } }
          - { match: { model: "demo-refuse-shadow*" }, policy: { actions: { refuse: test-shadow } } }
          - { match: { model: "demo-refuse-strict*" }, policy: { actions: { refuse: test-strict } } }
          - { match: { model: "demo-refuse-capped*" }, policy: { actions: { refuse: test-strict-cap } } }
          - { match: { model: "demo-comply-sampled*" }, policy: { selfPrediction: { mode: band, sampleRate: 1 } } }
          - { match: { model: "demo-comply-unread*" }, policy: { actions: { uncertain: test-block }, selfPrediction: { mode: band } } }
          - { match: { model: "demo-comply-unread-classify*" }, policy: { unreadContent: classify } }
          - match: { model: "demo-band-*" }
            policy:
              thresholds: { refuse: 0.95, comply: 0.05 }
              actions: { refuse: test-block, uncertain: test-strict, comply: allow }
              selfPrediction: { mode: band, timeoutMs: 1000, cacheTtlSeconds: 600 }
          - { match: { model: "demo-band-closed-*" }, policy: { failMode: closed, failAction: test-block } }
          - { match: { model: "demo-band-closed-budget-*" }, policy: { selfPrediction: { budgetPerMinute: 1 } } }
          - { match: { model: "demo-tenant-*", tenant: acme }, policy: { actions: { refuse: tenant-block, uncertain: tenant-block, comply: tenant-block } } }
        """;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("refusalgate-policies-").FullName;

    public string PolicyFile => Path.Combine(Directory, "policy.yaml");

    public TestGateway Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(PolicyFile, Policy);
        Gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Policies:Directory"] = Directory,
            ["Policies:ReloadDelay"] = "00:00:00.100",
        });

        // The first self-prediction pays for JIT and a new connection; keep that out of the tests' timeouts.
        await Gateway.Http.PostChatAsync("[sim:self=comply] warm-up", "demo-band-model");
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
