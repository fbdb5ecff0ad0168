namespace RefusalGate.Gateway.Telemetry;

/// <summary>
/// Model names come from clients, so as metric labels they must be bounded: the first <c>maxModels</c> distinct names
/// keep their own label, any further ones share <c>other</c>.
/// </summary>
public sealed class ModelLabels(int maxModels)
{
    public const string Other = "other";

    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public string Label(string model)
    {
        lock (_lock)
        {
            if (_known.Contains(model))
            {
                return model;
            }

            if (_known.Count < maxModels)
            {
                _known.Add(model);
                return model;
            }

            return Other;
        }
    }
}
