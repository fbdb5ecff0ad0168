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
    private static readonly (UnreadContent Kind, string Name)[] Names =
        [(UnreadContent.Image, "image"), (UnreadContent.Audio, "audio"), (UnreadContent.File, "file"), (UnreadContent.Other, "other")];

    /// <summary>The kinds as a header value, e.g. <c>image,file</c>; empty for <see cref="UnreadContent.None"/>.</summary>
    public static string ToHeaderValue(this UnreadContent unread) => unread switch
    {
        UnreadContent.None => "",
        UnreadContent.Image => "image", // the common case, without building a string
        _ => string.Join(',', unread.Kinds()),
    };

    /// <summary>Each kind's name (<c>image</c>, <c>audio</c>, <c>file</c>, <c>other</c>), in that order.</summary>
    public static IEnumerable<string> Kinds(this UnreadContent unread)
    {
        foreach (var (kind, name) in Names)
        {
            if (unread.HasFlag(kind))
            {
                yield return name;
            }
        }
    }


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
