using Newtonsoft.Json.Linq;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>What a schema error was about: a value it rejected, a key that is missing, or a key it does not know.</summary>
internal enum SchemaFindingKind
{
    RejectedValue,
    MissingKey,
    UnknownKey,
}

/// <summary>
/// One error the schema reported, for the loader: <see cref="Token"/> is the value (for <see cref="SchemaFindingKind.MissingKey"/>
/// the mapping that lacks <see cref="Property"/>).
/// </summary>
internal sealed record SchemaFinding(JToken? Token, string? Property, SchemaFindingKind Kind);
