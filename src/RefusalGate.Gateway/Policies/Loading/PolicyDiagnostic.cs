namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>One problem in a policy file, with the position an editor can jump to (1-based line and column).</summary>
public sealed record PolicyDiagnostic(string File, int Line, int Column, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}: {Message}";
}
