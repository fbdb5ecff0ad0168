namespace RefusalGate.Gateway.Policies.Model;

/// <summary>
/// What a policy does with a request whose last user message carries content the classifier cannot read (an image, an
/// audio clip, a file): its prediction then covers the text alone.
/// </summary>
public enum UnreadContentRule
{
    /// <summary>
    /// Never in the comply zone: where the text alone would be confidently answered, the request is uncertain and takes
    /// the band's action without asking the model (whose self-prediction would read the same text only); a fused
    /// probability in the comply zone stays uncertain too. The refuse zone is unchanged.
    /// </summary>
    Uncertain,

    /// <summary>The text alone decides, as for any request.</summary>
    Classify,
}
