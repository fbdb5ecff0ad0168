namespace RefusalGate.Gateway.Gate.Parsing;

/// <summary>
/// What a message carries that the classifier cannot read: it reads text, so an image, an audio clip or a file (an
/// instruction written in a picture, say) is a part of the request it never saw.
/// </summary>
[Flags]
public enum UnreadContent
{
    None = 0,
    Image = 1,
    Audio = 2,
    File = 4,

    /// <summary>A part of another type, or of none.</summary>
    Other = 8,
}

public static class UnreadContentNames
{
    /// <summary>The kinds as a header value, e.g. <c>image,file</c>; empty for <see cref="UnreadContent.None"/>.</summary>
    public static string ToHeaderValue(this UnreadContent unread) => unread switch
    {
        UnreadContent.None => "",
        UnreadContent.Image => "image", // the common case, without building a string
        _ => string.Join(',', Enum.GetValues<UnreadContent>().Where(k => k != UnreadContent.None && unread.HasFlag(k)).Select(k => k.ToString().ToLowerInvariant())),
    };

    /// <summary>The kind of a non-text part by its <c>type</c> (<c>image_url</c> and <c>input_image</c> are images, ...).</summary>
    internal static UnreadContent OfPartType(string? type) => type switch
    {
        null => UnreadContent.Other,
        _ when type.Contains("image", StringComparison.OrdinalIgnoreCase) => UnreadContent.Image,
        _ when type.Contains("audio", StringComparison.OrdinalIgnoreCase) => UnreadContent.Audio,
        _ when type.Contains("file", StringComparison.OrdinalIgnoreCase) => UnreadContent.File,
        _ => UnreadContent.Other,
    };
}
