namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>One problem in a policy file, with the position an editor can jump to (1-based line and column).</summary>
public sealed record PolicyDiagnostic(string File, int Line, int Column, string Message)
{
    /// <summary><c>file:line:column</c>, or the file alone when the problem has no single place.</summary>
    public string Location => Line > 0 ? $"{File}:{Line}:{Column}" : File;

    public override string ToString() => $"{Location}: {Message}";
}
