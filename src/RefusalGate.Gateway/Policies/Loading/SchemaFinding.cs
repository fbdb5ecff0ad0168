using Newtonsoft.Json.Linq;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>
/// What a schema error was about: a value it rejected, a key that is missing, a key it does not know, or a key whose
/// name breaks the pattern for names there (the entry is then left out of what is read, as if it were not written).
/// </summary>
internal enum SchemaFindingKind
{
    RejectedValue,
    MissingKey,
    UnknownKey,
    RejectedKey,
}

/// <summary>
/// One error the schema reported, for the loader: <see cref="Token"/> is the value (for <see cref="SchemaFindingKind.MissingKey"/>
/// the mapping that lacks <see cref="Property"/>).
/// </summary>
internal sealed record SchemaFinding(JToken? Token, string? Property, SchemaFindingKind Kind);
