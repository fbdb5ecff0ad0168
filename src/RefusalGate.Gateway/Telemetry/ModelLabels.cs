namespace RefusalGate.Gateway.Telemetry;

/// <summary>
/// Model names come from clients, so as metric labels they must be bounded: the first <c>maxModels</c> distinct names
/// keep their own label, any further ones share <c>other</c>; so does a name longer than <see cref="MaxLength"/>, which
/// takes no place (every series of a model repeats its name: three requests naming 200 kB models made a 66 MB scrape).
/// </summary>
public sealed class ModelLabels(int maxModels)
{
    public const string Other = "other";

    /// <summary>The longest model name kept as a label (provider model ids and deployment names are far shorter).</summary>
    public const int MaxLength = 128;

    /// <summary>
    /// A client's model named like a row the labels reserve (<c>all</c>: every model; <c>other</c>: the names beyond
    /// the cap) is renamed <c>model:all</c> / <c>model:other</c>, so its counts never merge into those rows.
    /// </summary>
    public static string Escape(string model) => model is Calibration.CalibrationTable.All or Other ? $"model:{model}" : model;

    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public string Label(string model)
    {
        model = Escape(model);
        if (model.Length > MaxLength)
        {
            return Other;
        }

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
