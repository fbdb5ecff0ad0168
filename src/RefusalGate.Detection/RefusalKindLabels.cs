namespace RefusalGate.Detection;

/// <summary>The wire names of <see cref="RefusalKind"/> (the CLI's "kind" field and the manifest's kind labels).</summary>
public static class RefusalKindLabels
{
    public const string Compliance = "compliance";
    public const string PartialRefusal = "partial_refusal";
    public const string FullRefusal = "full_refusal";

    public static string ToLabel(this RefusalKind kind) => kind switch
    {
        RefusalKind.Compliance => Compliance,
        RefusalKind.PartialRefusal => PartialRefusal,
        RefusalKind.FullRefusal => FullRefusal,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown refusal kind."),
    };
}
