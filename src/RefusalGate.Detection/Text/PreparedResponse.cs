namespace RefusalGate.Detection.Text;

/// <summary>A response cut to its bounded, normalised text and split into its first sentence(s) and the rest.</summary>
/// <param name="Text">The bounded, normalised, stripped text.</param>
/// <param name="First">The first sentence(s): where an opening refusal lives.</param>
/// <param name="Rest">What follows the first sentence(s); empty for a one-sentence response.</param>
/// <param name="Opening">The first code points of <paramref name="Text"/>, whatever its sentences (a refusal after a pleasantry is in it).</param>
/// <param name="TextLength">Length of <paramref name="Text"/> in code points (the unit the python trainer counts in).</param>
/// <param name="RestLength">Length of <paramref name="Rest"/> in code points.</param>
internal sealed record PreparedResponse(string Text, string First, string Rest, string Opening, int TextLength, int RestLength)
{
    public bool IsEmpty => Text.Length == 0;
}
