namespace RefusalGate.Detection.Text;

/// <summary>How a response is bounded, normalised and split; read from the detector manifest so python and C# agree.</summary>
/// <param name="MaxChars">Code points read from a response; the rest is ignored, which bounds the work for huge responses.</param>
/// <param name="MinFirstChars">A sentence boundary before this many code points does not end the first part (so "Sorry." is not alone).</param>
/// <param name="MaxFirstChars">The first part is cut here when no boundary is found.</param>
/// <param name="OpeningChars">Code points of the opening: where a refusal that follows a pleasantry still counts as an opening one.</param>
/// <param name="Whitespace">Characters stripped from both ends (an explicit set: Python's and .NET's whitespace definitions differ).</param>
/// <param name="Apostrophes">Characters replaced by an ASCII apostrophe before anything else looks at the text.</param>
internal sealed record TextSettings(int MaxChars, int MinFirstChars, int MaxFirstChars, int OpeningChars, string Whitespace, string Apostrophes);
