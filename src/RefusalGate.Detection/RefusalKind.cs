namespace RefusalGate.Detection;

/// <summary>What an upstream response did with the request.</summary>
public enum RefusalKind
{
    /// <summary>Answers the request (caveats and disclaimers included, as long as it answers).</summary>
    Compliance,

    /// <summary>Refuses part of the request, or answers only after heavy caveats or redirection.</summary>
    PartialRefusal,

    /// <summary>Does not answer the request.</summary>
    FullRefusal,
}
